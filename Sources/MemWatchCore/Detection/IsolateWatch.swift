/// Everything memwatchd tracks about one isolate: its leak detector (the
/// first leak is latched), the heap-limit rule, GC counts by kind and the
/// downsampled post-GC heap. Bounded memory however long it runs.
public struct IsolateWatch: Sendable {
    public let id: IsolateID
    /// The default detector is held as itself, the others as `any LeakDetector`:
    /// it runs for every GC, and calls through the existential cost a witness
    /// thunk and a copy each.
    private var trend: TrendDetector?
    private var otherDetector: (any LeakDetector)?
    private var heapLimitRule: HeapLimitRule?
    /// The heap limit the trace itself reported (`--trace-gc-verbose`'s
    /// `Memory allocator` line: used + available is V8's heap_size_limit).
    public private(set) var tracedHeapLimit: Int64?

    /// The first leak the detector decided; later verdicts are not asked for.
    public private(set) var leak: LeakFinding?
    /// The first GC that passed the heap-limit rule.
    public private(set) var heapLimitBreach: HeapLimitBreach?

    public private(set) var scavenges = 0
    public private(set) var minorMarkSweeps = 0
    public private(set) var fullGCs = 0
    public var gcs: Int { scavenges + minorMarkSweeps + fullGCs }
    public private(set) var firstMs: Double?
    public private(set) var lastMs: Double?
    public private(set) var peakUsed: Int64 = 0
    public private(set) var lastUsed: Int64 = 0
    public private(set) var chart = HeapChart()

    public init(id: IsolateID, detector: any LeakDetector, heapLimitRule: HeapLimitRule? = nil) {
        self.id = id
        if let trend = detector as? TrendDetector { self.trend = trend } else { otherDetector = detector }
        self.heapLimitRule = heapLimitRule
    }

    /// Feeds one GC of this isolate; returns what it newly established.
    public mutating func observe(_ event: GCEvent) -> [WatchAlert] {
        switch event.kind {
        case .scavenge: scavenges += 1
        case .minorMarkSweep: minorMarkSweeps += 1
        case .markCompact: fullGCs += 1
        }
        if firstMs == nil { firstMs = event.timeMs }
        lastMs = event.timeMs
        peakUsed = max(peakUsed, event.usedAfter)
        lastUsed = event.usedAfter
        chart.add(timeMs: event.timeMs, used: event.usedAfter)

        var alerts: [WatchAlert] = []
        if leak == nil, case .leak(var finding) = detectorVerdict(event) {
            projectToTracedLimit(&finding)
            leak = finding
            alerts.append(.leak(finding))
        }
        if heapLimitBreach == nil, let breach = heapLimitRule?.evaluate(event) {
            heapLimitBreach = breach
            alerts.append(.heapLimit(breach))
        }
        return alerts
    }

    private mutating func detectorVerdict(_ event: GCEvent) -> Verdict {
        // Optional chaining mutates the stored detector in place (no copy of its series).
        trend?.observe(event) ?? otherDetector?.observe(event) ?? .noLeak
    }

    /// Takes the heap limit the trace reported; it enables the heap-limit
    /// rule (at `share`) and projections when none was configured.
    public mutating func learnHeapLimit(_ limit: Int64, share: Double) {
        guard limit > 0 else { return }
        tracedHeapLimit = limit
        if heapLimitRule == nil { heapLimitRule = HeapLimitRule(heapLimit: limit, share: share) }
    }

    private func projectToTracedLimit(_ finding: inout LeakFinding) {
        guard finding.secondsToLimit == nil, let rate = finding.growthBytesPerSecond,
              let projection = ReasonFormat.projection(limit: tracedHeapLimit, used: finding.heapUsed, bytesPerSecond: rate)
        else { return }
        finding.reason += "; " + projection.text
        finding.heapLimit = tracedHeapLimit
        finding.secondsToLimit = projection.seconds
    }

    /// The post-GC heap floor at the start and at the end of the trace: the
    /// lowest figure in the first and in the last quarter of the chart (a
    /// quarter spans a sawtooth's reset, a bucket may not), and the growth
    /// rate between the two quarters' middles in bytes/s.
    public var floorTrend: (first: Int64, last: Int64, bytesPerSecond: Double?)? {
        let buckets = chart.buckets
        guard buckets.count >= 2 else { return nil }
        let quarter = max(1, buckets.count / 4)
        guard let low = buckets[..<quarter].compactMap({ $0?.low }).min(),
              let high = buckets[(buckets.count - quarter)...].compactMap({ $0?.low }).min()
        else { return nil }
        let seconds = Double(buckets.count - quarter) * chart.widthMs / 1000
        return (low, high, Double(high - low) / seconds)
    }
}

/// What a watch newly established from one GC.
public enum WatchAlert: Sendable, Equatable {
    case leak(LeakFinding)
    case heapLimit(HeapLimitBreach)
}
