/// How long this app takes to build a working set before it drops it: the
/// longest time between two full GCs after which the live heap fell by a
/// leak's worth (the first measured from the isolate's first GC).
///
/// A batch that gathers its rows for longer than the minimum span rises like
/// a leak until it is dropped; once the app has shown such a drop, a rise
/// must outlast its cycle before it counts (`TrendDetector` rule 7).
struct WorkingSetCycles: Sendable, Equatable {
    /// When the current cycle began: the last drop, or the isolate's first GC.
    private var cycleStartMs: Double?
    /// The highest live heap a full GC left since the last drop.
    private var peakUsed: Int64?
    /// The longest cycle seen, ms; 0 while the live heap has never fallen.
    private(set) var longestMs: Double = 0

    /// `leakWorth` gives the fall, from a live heap of the given size, that counts as a drop.
    mutating func observe(_ event: GCEvent, leakWorth: (_ from: Int64) -> Int64) {
        let start = cycleStartMs ?? event.timeMs
        cycleStartMs = start
        guard event.kind.isFull else { return }
        guard let peak = peakUsed, peak - event.usedAfter >= leakWorth(peak) else {
            peakUsed = max(peakUsed ?? event.usedAfter, event.usedAfter)
            return
        }
        longestMs = max(longestMs, event.timeMs - start)
        cycleStartMs = event.timeMs
        peakUsed = event.usedAfter
    }
}
