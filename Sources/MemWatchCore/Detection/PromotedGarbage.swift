/// How fast garbage piles up in old space between full GCs, as the last full
/// GCs revealed it: the post-scavenge heap just before a full GC minus what
/// the full GC left, over the time since the previous full GC.
///
/// Between full GCs the scavenge floor rises with this garbage (evicted LRU
/// entries, overwritten ring slots, finished requests that lived long enough
/// to be promoted) just as it does with a leak; subtracting the known rate
/// keeps it from passing for one.
struct PromotedGarbage: Sendable, Equatable {
    /// The last full GC, and the post-GC heap it left.
    private(set) var lastFullMs: Double?
    private(set) var lastFullUsed: Int64 = 0
    /// The highest rate of the last `remembered` full-GC intervals, bytes/s;
    /// nil until two full GCs were seen (then the rise since the last one
    /// cannot be judged). The highest, because garbage comes in bursts (a
    /// batch dropped, a cache flushed) and a full GC that ran in the middle
    /// of a build-up measured none of it.
    private(set) var bytesPerSecond: Double?
    private var recentRates: [Double] = []
    static let remembered = 4
    /// How many full-GC intervals the rate rests on (up to `remembered`).
    var measuredIntervals: Int { recentRates.count }
    private var lastYoungUsed: Int64?

    /// The first GC seen: old space holds no promoted garbage yet when an
    /// isolate starts, so this counts as the origin until a full GC is seen.
    private var firstMs: Double?

    mutating func observe(_ event: GCEvent) {
        if firstMs == nil { firstMs = event.timeMs }
        guard event.kind.isFull else {
            lastYoungUsed = event.usedAfter
            return
        }
        if let since = lastFullMs, let before = lastYoungUsed, event.timeMs > since {
            let rate = Double(max(0, before - event.usedAfter)) / ((event.timeMs - since) / 1000)
            if recentRates.count == Self.remembered { recentRates.removeFirst() }
            recentRates.append(rate)
            bytesPerSecond = recentRates.max()
        }
        lastFullMs = event.timeMs
        lastFullUsed = event.usedAfter
        lastYoungUsed = nil
    }

    /// A post-GC figure's distance from the full GC before it.
    struct Since: Sendable, Equatable {
        var ms: Double
        /// The heap that full GC left; nil when measured from the first GC seen.
        var fullGCUsed: Int64?
    }

    /// Where a figure at `ms` stands since the last full GC (or the first GC seen).
    func since(_ ms: Double) -> Since? {
        if let lastFullMs { return Since(ms: max(0, ms - lastFullMs), fullGCUsed: lastFullUsed) }
        return firstMs.map { Since(ms: max(0, ms - $0), fullGCUsed: nil) }
    }

    /// `floor` less the garbage promoted since the full GC before it, but
    /// never below what that full GC left (the rate is an average; right
    /// after a full GC garbage may pile up slower). With no rate yet, no rise
    /// above the last full GC's heap is credited.
    func corrected(_ floor: Int64, _ since: Since?) -> Int64 {
        guard let since, since.ms > 0 else { return floor }
        let bound = min(floor, since.fullGCUsed ?? 0)
        guard let bytesPerSecond else { return since.fullGCUsed == nil ? floor : bound }
        return max(bound, floor - Int64(bytesPerSecond * since.ms / 1000))
    }
}
