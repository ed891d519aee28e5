/// The post-GC heap of one isolate over its whole trace, downsampled into at
/// most `capacity` equal-width time buckets (pairs merge and the width doubles
/// when it fills), so a chart of any trace length costs fixed memory.
public struct HeapChart: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var low: Int64
        public var high: Int64
    }

    public let capacity: Int
    /// Bucket width in ms, and the stamp bucket 0 starts at.
    public private(set) var widthMs: Double
    public private(set) var originMs: Double?
    /// Buckets in time order; nil where no GC fell.
    public private(set) var buckets: [Bucket?] = []
    /// The bucket the last figure went into and the stamps that surely fall
    /// in it too: most GCs land in the same bucket as the one before, and this
    /// runs for every GC, so they skip the division. A cache: not compared.
    private var recent = RecentBucket.none

    public init(capacity: Int = 60, initialWidthMs: Double = 250) {
        precondition(capacity >= 2 && capacity % 2 == 0 && initialWidthMs > 0)
        self.capacity = capacity
        self.widthMs = initialWidthMs
    }

    public static func == (a: HeapChart, b: HeapChart) -> Bool {
        (a.capacity, a.widthMs, a.originMs, a.buckets) == (b.capacity, b.widthMs, b.originMs, b.buckets)
    }

    public mutating func add(timeMs: Double, used: Int64) {
        guard timeMs.isFinite else { return }
        if timeMs >= recent.fromMs, timeMs < recent.untilMs {
            record(used, at: recent.index)
            return
        }
        let origin = originMs ?? timeMs
        originMs = origin
        var position = (timeMs - origin) / widthMs
        while position >= Double(capacity) {
            mergePairs()
            position = (timeMs - origin) / widthMs
        }
        // A stamp before the origin (clock quirk) goes into the first bucket.
        let index = position > 0 ? Int(position) : 0
        recent = RecentBucket(index: index, originMs: origin, widthMs: widthMs)
        if index < buckets.count, buckets[index] != nil {
            record(used, at: index)
            return
        }
        while buckets.count <= index { buckets.append(nil) }
        buckets[index] = Bucket(low: used, high: used)
    }

    @inline(__always) private mutating func record(_ used: Int64, at index: Int) {
        if used < buckets[index]!.low { buckets[index]!.low = used } else if used > buckets[index]!.high { buckets[index]!.high = used }
    }

    /// Stamps inside `fromMs..<untilMs` get bucket `index` from `add`'s
    /// arithmetic: the bounds stay 2^-40 (relative) inside the bucket's edges,
    /// far above the rounding error of `(timeMs - origin) / widthMs`.
    private struct RecentBucket {
        var index: Int
        var fromMs: Double
        var untilMs: Double

        static let none = RecentBucket(index: 0, fromMs: .infinity, untilMs: -.infinity)

        init(index: Int, fromMs: Double, untilMs: Double) {
            self.index = index
            self.fromMs = fromMs
            self.untilMs = untilMs
        }

        init(index: Int, originMs: Double, widthMs: Double) {
            let start = originMs + Double(index) * widthMs
            let end = originMs + Double(index + 1) * widthMs
            let margin = (abs(originMs) + abs(end)) * 0x1p-40
            self.index = index
            // Bucket 0 also takes stamps before the origin.
            fromMs = index == 0 ? -.infinity : start + margin
            untilMs = end - margin
        }
    }

    private mutating func mergePairs() {
        var merged: [Bucket?] = []
        merged.reserveCapacity(capacity)
        var i = 0
        while i < buckets.count {
            let a = buckets[i]
            let b = i + 1 < buckets.count ? buckets[i + 1] : nil
            switch (a, b) {
            case let (a?, b?): merged.append(Bucket(low: min(a.low, b.low), high: max(a.high, b.high)))
            default: merged.append(a ?? b)
            }
            i += 2
        }
        buckets = merged
        widthMs *= 2
        recent = .none
    }
}
