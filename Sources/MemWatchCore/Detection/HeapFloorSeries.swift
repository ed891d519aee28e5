/// The floor of one isolate's heap at one time scale: the lowest post-GC heap
/// figure in each fixed-width time bucket, for the most recent `capacity`
/// buckets only, so its memory is bounded however long the trace is (and
/// grows only as buckets fill: a short-lived isolate costs little).
///
/// The minimum over a bucket strips the sawtooth of allocation between
/// collections: what remains is what the collector could not free.
struct HeapFloorSeries: Sendable {
    struct Bucket: Sendable, Equatable {
        /// `floor(timeMs / widthMs)`: identifies the bucket.
        var index: Int64
        /// Stamp and heap of the lowest post-GC figure in the bucket.
        var timeMs: Double
        var floor: Int64
        /// Full GCs in the bucket: only they prove what is live.
        var fullGCs: Int
        /// Where the lowest figure stands since the last full GC: how long
        /// promoted garbage had to pile up in it, and the heap the full GC left.
        var sinceFull: PromotedGarbage.Since?
    }

    let widthMs: Double
    let capacity: Int
    private(set) var buckets: [Bucket] = []
    /// A stamp below this surely falls in the open bucket (or before it): this
    /// runs for every GC of every scale, and the division and `floor` call
    /// that `bucketIndex` costs were the detector's largest expense.
    private var openBucketSurelyBeforeMs = -Double.infinity

    init(widthMs: Double, capacity: Int) {
        precondition(widthMs > 0 && capacity > 1)
        self.widthMs = widthMs
        self.capacity = capacity
    }

    /// Adds one post-GC figure; returns true when it opened a new bucket.
    /// Inlined into the trend detector's loop over its scales, as it was
    /// without the bounds checks: called on its own it cost 4 % of `analyze`.
    @discardableResult @inline(__always)
    mutating func add(timeMs: Double, used: Int64, isFull: Bool, sinceFull: PromotedGarbage.Since?) -> Bool {
        if let last = buckets.indices.last,
           timeMs < openBucketSurelyBeforeMs || buckets[last].index >= bucketIndex(timeMs) {
            // Same bucket (or a stamp that went backwards: keep it in the open bucket).
            if used < buckets[last].floor {
                buckets[last].floor = used
                buckets[last].timeMs = timeMs
                buckets[last].sinceFull = sinceFull
            }
            if isFull { buckets[last].fullGCs += 1 }
            return false
        }
        // Drop the oldest first, so the storage never grows past `capacity`.
        let index = bucketIndex(timeMs)
        if buckets.count == capacity { buckets.removeFirst() }
        buckets.append(Bucket(index: index, timeMs: timeMs, floor: used, fullGCs: isFull ? 1 : 0, sinceFull: sinceFull))
        openBucketSurelyBeforeMs = Self.surelyBefore(bucket: index, widthMs: widthMs)
        return true
    }

    @inline(__always) private func bucketIndex(_ timeMs: Double) -> Int64 {
        Int64((timeMs / widthMs).rounded(.down))
    }

    /// The next bucket's start less a margin far above the rounding error of
    /// `timeMs / widthMs` (2^-40 relative against 2^-52), so a stamp below it
    /// gets an index no higher than `bucket`'s. Negative buckets get no fast path.
    static func surelyBefore(bucket: Int64, widthMs: Double) -> Double {
        guard bucket >= 0 else { return -.infinity }
        let next = Double(bucket + 1) * widthMs
        return next - next * 0x1p-40
    }

    /// The lower envelope: for each bucket, the lowest floor from it to now.
    /// It is the part of the heap at that time that has never been freed
    /// since, so it rises only with memory that stays — a leak — and a later
    /// collection that frees a cache, a batch or promoted garbage lowers it
    /// retroactively. Each floor first loses the garbage `correction` says was
    /// promoted since the full GC before it.
    ///
    /// Between two full GCs that show a rise, that correction leaves a step:
    /// flat until the second one. There the envelope follows the straight
    /// line between them instead, kept under each bucket's own floor (the
    /// heap after a GC is at least what is retained): V8 may run full GCs
    /// many seconds apart, and a leak does not wait for them to grow.
    func retainedEnvelope(_ correction: PromotedGarbage) -> [Int64] {
        var envelope = [Int64](repeating: 0, count: buckets.count)
        var low = Int64.max
        for i in buckets.indices.reversed() {
            low = min(low, correction.corrected(buckets[i].floor, buckets[i].sinceFull))
            envelope[i] = low
        }
        let fulls = buckets.indices.filter { buckets[$0].fullGCs > 0 }
        // How far the heap after a full GC has fallen from one full GC to the next.
        let largestFall = zip(fulls, fulls.dropFirst()).map { buckets[$0].floor - buckets[$1].floor }.max() ?? 0
        for (n, i) in fulls.enumerated() where n > 0 {
            let a = fulls[n - 1]
            guard i - a > 1, envelope[i] > envelope[a] else { continue }
            // Nothing after the last full GC shows its heap was kept: it may
            // have caught a passing peak (a batch, a spike, a sawtooth's top).
            // Its rise counts only when the full GC before it rose too and it
            // stands well clear of how far full GCs have fallen back.
            if n == fulls.count - 1 {
                guard n > 1, envelope[a] > envelope[fulls[n - 2]],
                      envelope[i] - envelope[a] > 2 * largestFall else { continue }
            }
            let rise = Double(envelope[i] - envelope[a])
            let duration = buckets[i].timeMs - buckets[a].timeMs
            for j in (a + 1)..<i {
                let line = envelope[a] + Int64(rise * (buckets[j].timeMs - buckets[a].timeMs) / duration)
                envelope[j] = max(envelope[j], min(buckets[j].floor, line))
            }
        }
        // A floor under the line keeps the envelope non-decreasing.
        low = Int64.max
        for i in buckets.indices.reversed() {
            low = min(low, envelope[i])
            envelope[i] = low
        }
        return envelope
    }

    /// The retained envelope at the first bucket at or after `ms`, or nil if
    /// the series does not reach back that far.
    func retained(atMs ms: Double, envelope: [Int64]) -> Int64? {
        guard let first = buckets.first, Double(first.index) * widthMs <= ms,
              let i = buckets.firstIndex(where: { $0.timeMs >= ms })
        else { return nil }
        return envelope[i]
    }
}
