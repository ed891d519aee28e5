/// Routes GC events to one `IsolateWatch` per isolate (worker threads differ
/// by isolate, cluster workers by pid). `memwatchd analyze` replays a log
/// through it and the live commands feed it as lines arrive, so both decide
/// alike.
public struct LeakWatch: Sendable {
    public let detector: DetectorKind
    public let heapLimit: Int64?
    public let heapLimitShare: Double
    private let heapLimitRule: HeapLimitRule?
    private var watches: [IsolateID: IsolateWatch] = [:]

    /// - Parameters:
    ///   - heapLimit: the isolates' heap limit in bytes when known (e.g.
    ///     `--max-old-space-size`); enables time-to-limit projections and the
    ///     heap-limit rule.
    ///   - heapLimitShare: the share of `heapLimit` at which `.heapLimit` fires.
    public init(detector: DetectorKind = .trend, heapLimit: Int64? = nil, heapLimitShare: Double = 0.85) {
        self.detector = detector
        self.heapLimit = heapLimit
        self.heapLimitShare = heapLimitShare
        heapLimitRule = heapLimit.map { HeapLimitRule(heapLimit: $0, share: heapLimitShare) }
    }

    /// Feeds one GC; returns the leaks and heap-limit breaches it newly
    /// established (each at most once per isolate).
    public mutating func observe(_ event: GCEvent) -> [WatchAlert] {
        if watches[event.id] == nil { watches[event.id] = newWatch(event.id) }
        return watches[event.id]!.observe(event)
    }

    /// Records a heap limit the trace reported for one isolate (see
    /// `IsolateWatch.learnHeapLimit`); a configured `heapLimit` still wins.
    public mutating func learnHeapLimit(_ limit: Int64, for id: IsolateID) {
        guard heapLimit == nil else { return }
        if watches[id] == nil { watches[id] = newWatch(id) }
        watches[id]!.learnHeapLimit(limit, share: heapLimitShare)
    }

    private func newWatch(_ id: IsolateID) -> IsolateWatch {
        IsolateWatch(id: id, detector: detector.make(heapLimit: heapLimit), heapLimitRule: heapLimitRule)
    }

    /// Stops tracking an isolate (its process exited), freeing its state.
    public mutating func forget(_ id: IsolateID) { watches[id] = nil }

    public func watch(for id: IsolateID) -> IsolateWatch? { watches[id] }

    /// All isolates seen, by pid then isolate address.
    public var isolates: [IsolateWatch] { watches.values.sorted { $0.id < $1.id } }

    /// The latched leaks, in trace order of decision.
    public var leaks: [LeakFinding] {
        watches.values.compactMap(\.leak).sorted { ($0.atMs, $0.id) < ($1.atMs, $1.id) }
    }
}
