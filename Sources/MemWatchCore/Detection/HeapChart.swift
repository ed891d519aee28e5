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

    public init(capacity: Int = 60, initialWidthMs: Double = 250) {
        precondition(capacity >= 2 && capacity % 2 == 0 && initialWidthMs > 0)
        self.capacity = capacity
        self.widthMs = initialWidthMs
    }

    public mutating func add(timeMs: Double, used: Int64) {
        guard timeMs.isFinite else { return }
        let origin = originMs ?? timeMs
        originMs = origin
        var position = (timeMs - origin) / widthMs
        while position >= Double(capacity) {
            mergePairs()
            position = (timeMs - origin) / widthMs
        }
        // A stamp before the origin (clock quirk) goes into the first bucket.
        let index = position > 0 ? Int(position) : 0
        if index < buckets.count, let b = buckets[index] {
            if used < b.low { buckets[index]!.low = used } else if used > b.high { buckets[index]!.high = used }
            return
        }
        while buckets.count <= index { buckets.append(nil) }
        buckets[index] = Bucket(low: used, high: used)
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
    }
}
