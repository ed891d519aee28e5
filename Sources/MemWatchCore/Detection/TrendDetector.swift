/// The default leak detector: a sustained, confirmed, non-slowing rise of the
/// heap floor.
///
/// What it looks at: per time bucket, the lowest heap figure after any GC
/// (scavenges included, so slow leaks with rare full GCs are seen), and the
/// *retained envelope* of those floors (the lowest floor from each bucket to
/// now, see `HeapFloorSeries.retainedEnvelope`). A leak is declared when, over
/// a recent span, all of these hold — each rule rejects a benign shape:
///
/// 1. Warm-up is over: the isolate is `warmupSeconds` old by its own clock and
///    `warmupGCs` GCs were seen; buckets before that are ignored
///    (startup caches, JIT, module loading).
/// 2. The span is at least `minSpanSeconds` and `minBuckets` buckets long, so
///    one batch in flight or a periodic spike cannot fill it.
/// 3. A full GC inside the span confirms the growth: the envelope at the last
///    full GC is above the span's start by `minGrowthBytes` and
///    `minGrowthFraction` of the heap. Between full GCs the scavenge floor
///    also rises with promoted garbage (an LRU's evicted entries, a ring
///    buffer's overwritten records); only a full GC that fails to free it
///    shows it is live. The relative bound keeps allocator noise of a large
///    heap from counting.
/// 4. The envelope rose in at least `minRisingFraction` of the bucket steps:
///    a leak grows steadily, while a plateau, a sawtooth or noise leaves the
///    envelope flat in most steps (for noise only ~ln(n)/n steps rise).
/// 5. It is not slowing down: the Theil–Sen slope of the later half of the
///    span is positive and at least `minLateToEarlySlope` of the earlier
///    half's. A cache filling up, or logarithmic/converging growth, decelerates;
///    a leak keeps its pace (or accelerates, as when it starts late).
///
/// Several time scales (bucket widths) run side by side, so a fast leak is
/// decided in seconds and one of a few MB an hour is still seen over hours,
/// each with bounded memory.
public struct TrendDetector: LeakDetector {
    public static let name = "trend"

    public struct Configuration: Sendable, Equatable {
        public var warmupSeconds: Double = 10
        public var warmupGCs: Int = 10
        public var minSpanSeconds: Double = 10
        public var minBuckets: Int = 6
        /// Above the noise of the post-scavenge figure, which carries up to a
        /// semi-space of survivors (a few MB on 64-bit V8).
        public var minGrowthBytes: Int64 = 4 << 20
        public var minGrowthFraction: Double = 0.10
        public var minRisingFraction: Double = 0.6
        public var minLateToEarlySlope: Double = 0.5
        /// Bucket widths of the time scales, finest first.
        public var scaleSeconds: [Double] = [1, 8, 64, 512]
        public var bucketsPerScale: Int = 64

        public init() {}
    }

    public let heapLimit: Int64?
    public let configuration: Configuration
    private var scales: [HeapFloorSeries]
    private var gcCount = 0

    public init(heapLimit: Int64? = nil, configuration: Configuration = Configuration()) {
        self.heapLimit = heapLimit
        self.configuration = configuration
        scales = configuration.scaleSeconds.map {
            HeapFloorSeries(widthMs: $0 * 1000, capacity: configuration.bucketsPerScale)
        }
    }

    public mutating func observe(_ event: GCEvent) -> Verdict {
        // Stamps beyond ~30,000 years are corrupt input, not time.
        guard event.timeMs.isFinite, abs(event.timeMs) < 1e15 else { return .noLeak }
        gcCount += 1
        guard event.timeMs >= configuration.warmupSeconds * 1000, gcCount > configuration.warmupGCs else {
            return .noLeak
        }
        for i in scales.indices {
            let opened = scales[i].add(timeMs: event.timeMs, used: event.usedAfter, isFull: event.kind.isFull)
            // A verdict can only change when a bucket opens or a full GC confirms.
            guard opened || event.kind.isFull,
                  let evidence = TrendEvidence.assess(scales[i], nowMs: event.timeMs, configuration)
            else { continue }
            return .leak(finding(evidence, at: event))
        }
        return .noLeak
    }

    private func finding(_ evidence: TrendEvidence, at event: GCEvent) -> LeakFinding {
        var reason = "heap floor grew \(ReasonFormat.megabytes(evidence.growth)) "
            + "(\(ReasonFormat.megabytes(evidence.startFloor)) → \(ReasonFormat.megabytes(evidence.endFloor))) "
            + "over \(evidence.fullGCs) full GC\(evidence.fullGCs == 1 ? "" : "s") "
            + "in \(ReasonFormat.duration(evidence.spanSeconds)) (\(ReasonFormat.rate(evidence.slope))), "
            + "rising in \(evidence.risingSteps) of \(evidence.steps) "
            + "\(ReasonFormat.duration(evidence.bucketSeconds)) windows and not slowing"
        let projection = ReasonFormat.projection(limit: heapLimit, used: evidence.endFloor, bytesPerSecond: evidence.slope)
        if let projection { reason += "; " + projection.text }
        return LeakFinding(
            detector: Self.name, id: event.id, atMs: event.timeMs, reason: reason,
            heapUsed: event.usedAfter, growthBytesPerSecond: evidence.slope,
            heapLimit: projection == nil ? nil : heapLimit, secondsToLimit: projection?.seconds)
    }
}
