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
///    `warmupGCs` GCs were seen; spans start after it (startup caches, JIT,
///    module loading). A process watched from later in its life (`attach`)
///    is warm by its clock and only waits for the GCs.
/// 2. The span is at least `minSpanSeconds` and `minBuckets` buckets long, so
///    one batch in flight or a periodic spike cannot fill it.
/// 3. A full GC confirms the growth (or, failing one, the full GCs before:
///    see `Configuration.maxGarbageShareOfGrowth`): the envelope at the last full GC is
///    above the span's start by `minGrowthBytes` and `minGrowthFraction` of
///    the heap; the confirmed part (span start to that full GC) lasts at
///    least half the minimum span and at least `minConfirmedShare` of the
///    span. Between full GCs the scavenge floor also rises with promoted
///    garbage (an LRU's evicted entries, a ring buffer's overwritten records,
///    dropped batches); only a full GC that fails to free it shows it is
///    live. V8 spaces full GCs further apart as the heap grows, so some
///    unconfirmed tail must be allowed, but never more than twice the
///    confirmed part. The relative bound keeps allocator noise of a large
///    heap from counting.
/// 4. The envelope rose in at least `minRisingFraction` of the bucket steps:
///    a leak grows steadily, while a plateau, a sawtooth or noise leaves the
///    envelope flat in most steps (for noise only ~ln(n)/n steps rise).
/// 5. It is not slowing down: the Theil–Sen slope of the later half of the
///    span is positive and at least `minLateToEarlySlope` of the earlier
///    half's. A cache that filled up within the span decelerates; a leak keeps
///    its pace (or accelerates, as when it starts late).
/// 6. It is not converging over the isolate's life: the floor grew over the
///    second half of its age at least `minHalfLifeGrowthRatio` times as much
///    as over the quarter before (T/2…T against T/4…T/2). Growth like t^α
///    gives 2^α at every age: linear growth 2 (more if it started late),
///    logarithmic growth 1, converging growth less. The bound √2 asks for
///    growth at least as fast as √t. Short spans cannot make this test: a
///    logarithm looks straight over any short span.
/// 7. It outlasts the app's own build-and-drop cycle: once a full GC has
///    shown the live heap fall by a leak's worth (a batch's rows, a cache
///    reset), the span must be `workingSetCycleFactor` times the longest
///    time the app took to get there (`WorkingSetCycles`), up to
///    `maxWorkingSetCycleSeconds`. A batch that gathers for longer than the
///    minimum span rises like a leak until its drop; a leak keeps rising
///    past it.
///
/// Between full GCs the scavenge floor also carries promoted garbage; each
/// floor is corrected by the rate the full GCs revealed (`PromotedGarbage`).
/// Where full GCs run far apart (V8 14 may wait 20 s), the envelope between
/// two that rose follows the line joining them, so rules 4 and 5 see the
/// growth as the steady rise it was rather than as one step.
///
/// Several time scales (bucket widths of 1 s to ~68 min, 64 buckets each)
/// run side by side, so a fast leak is decided in seconds and one of a few MB
/// an hour is still seen over hours, with bounded memory; rule 6 reaches
/// back ~3 days.
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
        public var minConfirmedShare: Double = 1.0 / 3
        /// Rule 3 without a confirming full GC: the garbage rate measured over
        /// at least `minGarbageIntervals` earlier full-GC intervals is under
        /// `maxGarbageShareOfGrowth` of the floor's growth rate, over a span
        /// `unconfirmedSpanFactor` times the minimum, growing
        /// `unconfirmedGrowthFactor` times the minimum growth.
        public var minGarbageIntervals: Int = 2
        public var maxGarbageShareOfGrowth: Double = 0.1
        public var unconfirmedSpanFactor: Double = 2
        public var unconfirmedGrowthFactor: Int64 = 2
        public var minRisingFraction: Double = 0.6
        public var minLateToEarlySlope: Double = 0.5
        /// 2^α for growth like t^α: √2 sits between logarithmic (1) and linear (2).
        public var minHalfLifeGrowthRatio: Double = 2.0.squareRoot()
        public var workingSetCycleFactor: Double = 2
        /// A cycle counts up to this long: one reset an hour into the
        /// process's life must not make every later leak wait two hours.
        public var maxWorkingSetCycleSeconds: Double = 300
        /// Bucket widths of the time scales, finest first.
        public var scaleSeconds: [Double] = [1, 8, 64, 512, 4096]
        public var bucketsPerScale: Int = 64

        public init() {}

        /// The growth that counts from a heap of `heap` bytes: above the
        /// post-scavenge noise and a share of the heap (rules 3 and 7).
        func leakWorth(from heap: Int64) -> Int64 {
            max(minGrowthBytes, Int64(minGrowthFraction * Double(heap)))
        }
    }

    public let heapLimit: Int64?
    public let configuration: Configuration
    private var scales: [HeapFloorSeries]
    private var garbage = PromotedGarbage()
    private var cycles = WorkingSetCycles()
    private var gcCount = 0
    /// When warm-up ended: spans start no earlier.
    private var analysisFromMs: Double?

    public init(heapLimit: Int64? = nil, configuration: Configuration = Configuration()) {
        self.heapLimit = heapLimit
        self.configuration = configuration
        precondition(configuration.scaleSeconds.count <= 64)
        scales = configuration.scaleSeconds.map {
            HeapFloorSeries(widthMs: $0 * 1000, capacity: configuration.bucketsPerScale)
        }
    }

    public mutating func observe(_ event: GCEvent) -> Verdict {
        // Stamps beyond ~30,000 years are corrupt input, not time.
        guard event.timeMs.isFinite, abs(event.timeMs) < 1e15 else { return .noLeak }
        gcCount += 1
        garbage.observe(event)
        cycles.observe(event) { configuration.leakWorth(from: $0) }
        let sinceFull = garbage.since(event.timeMs)
        var opened: UInt64 = 0  // bit i: scale i opened a bucket
        // Through the buffer: one uniqueness check per GC instead of one, and a
        // bounds check, per scale (this runs for every GC line of a log).
        scales.withUnsafeMutableBufferPointer { scales in
            for i in scales.indices where scales[i].add(
                timeMs: event.timeMs, used: event.usedAfter, isFull: event.kind.isFull, sinceFull: sinceFull) {
                opened |= 1 << UInt64(i)
            }
        }
        if analysisFromMs == nil, event.timeMs >= configuration.warmupSeconds * 1000, gcCount >= configuration.warmupGCs {
            analysisFromMs = event.timeMs
        }
        // A verdict can only change when a bucket opens or a full GC confirms.
        guard let analysisFromMs, opened != 0 || event.kind.isFull else { return .noLeak }
        // Rule 7: spans outlast the app's working-set cycle.
        var rules = configuration
        let cycleSeconds = min(cycles.longestMs / 1000, rules.maxWorkingSetCycleSeconds)
        rules.minSpanSeconds = max(rules.minSpanSeconds, rules.workingSetCycleFactor * cycleSeconds)
        for i in scales.indices {
            guard opened & (1 << UInt64(i)) != 0 || event.kind.isFull,
                  let evidence = TrendEvidence.assess(
                      scales[i], nowMs: event.timeMs, fromMs: analysisFromMs, garbage: garbage, rules),
                  !isConverging(nowMs: event.timeMs)
            else { continue }
            return .leak(finding(evidence, at: event))
        }
        return .noLeak
    }

    /// Rule 6, on the finest scale that reaches back to a quarter of the
    /// isolate's age; an isolate watched since later is not judged by it.
    private func isConverging(nowMs: Double) -> Bool {
        let quarter = nowMs / 4
        for series in scales {
            let envelope = series.retainedEnvelope(garbage)
            guard let q = series.retained(atMs: quarter, envelope: envelope),
                  let h = series.retained(atMs: 2 * quarter, envelope: envelope),
                  let now = envelope.last
            else { continue }
            return Double(now - h) < configuration.minHalfLifeGrowthRatio * Double(max(0, h - q))
        }
        return false
    }

    private func finding(_ evidence: TrendEvidence, at event: GCEvent) -> LeakFinding {
        var reason = "heap floor grew \(HumanReadable.megabytes(evidence.growth)) "
            + "(\(HumanReadable.megabytes(evidence.startFloor)) → \(HumanReadable.megabytes(evidence.endFloor))) "
            + (evidence.confirmedByFullGC
                ? "over \(evidence.fullGCs) full GC\(evidence.fullGCs == 1 ? "" : "s") "
                : "with no full GC to confirm it, but earlier ones freed next to nothing, ")
            + "in \(HumanReadable.duration(evidence.spanSeconds)) (\(HumanReadable.rate(evidence.slope))), "
            + "rising in \(evidence.risingSteps) of \(evidence.steps) "
            + "\(HumanReadable.duration(evidence.bucketSeconds)) windows and not slowing"
        let projection = ReasonFormat.projection(limit: heapLimit, used: evidence.endFloor, bytesPerSecond: evidence.slope)
        if let projection { reason += "; " + projection.text }
        return LeakFinding(
            detector: Self.name, id: event.id, atMs: event.timeMs, reason: reason,
            heapUsed: event.usedAfter, growthBytesPerSecond: evidence.slope,
            heapLimit: projection == nil ? nil : heapLimit, secondsToLimit: projection?.seconds)
    }
}
