/// Routes GC events to one `IsolateWatch` per isolate (worker threads differ
/// by isolate, cluster workers by pid). `memwatchd analyze` replays a log
/// through it and the live commands feed it as lines arrive, so both decide
/// alike.
public struct LeakWatch: Sendable {
    public let detector: DetectorKind
    public let heapLimit: Int64?
    public let heapLimitShare: Double
    private let heapLimitRule: HeapLimitRule?
    /// Watches in order of first appearance, found through `slots`; `last`
    /// and a short linear search skip the hashing in the common cases (this
    /// runs for every GC line of a log).
    private var watches: [IsolateWatch] = []
    private var slots: [IsolateID: Int] = [:]
    private var last = 0

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
        watches[slot(event.id)].observe(event)
    }

    /// Feeds one line's record from `GCTraceParser`: collections go to their
    /// isolate's watch; `--trace-gc-verbose`'s `Memory allocator` line gives
    /// the heap limit (used + available is V8's heap_size_limit); the rest
    /// (repeats from an OOM block, other space lines) is not evidence.
    public mutating func observe(_ record: GCTraceRecord) -> [WatchAlert] {
        switch record {
        case .gc(let event):
            return observe(event)
        case .spaceUsage(let usage) where usage.space == "Memory allocator":
            learnHeapLimit(usage.usedBytes + usage.availableBytes, for: usage.id)
            return []
        default:
            return []
        }
    }

    /// Records a heap limit the trace reported for one isolate (see
    /// `IsolateWatch.learnHeapLimit`); a configured `heapLimit` still wins.
    public mutating func learnHeapLimit(_ limit: Int64, for id: IsolateID) {
        guard heapLimit == nil else { return }
        watches[slot(id)].learnHeapLimit(limit, share: heapLimitShare)
    }

    /// Stops tracking an isolate (its process exited), freeing its state.
    public mutating func forget(_ id: IsolateID) {
        guard let index = slots.removeValue(forKey: id) else { return }
        watches.remove(at: index)
        for (other, slot) in slots where slot > index { slots[other] = slot - 1 }
        last = 0
    }

    public func watch(for id: IsolateID) -> IsolateWatch? { slots[id].map { watches[$0] } }

    /// The isolate's latched leak, without copying its watch.
    public func leak(of id: IsolateID) -> LeakFinding? { slots[id].flatMap { watches[$0].leak } }

    /// All isolates seen, by pid then isolate address.
    public var isolates: [IsolateWatch] { watches.sorted { $0.id < $1.id } }

    /// The latched leaks, in trace order of decision.
    public var leaks: [LeakFinding] {
        watches.compactMap(\.leak).sorted { ($0.atMs, $0.id) < ($1.atMs, $1.id) }
    }

    private mutating func slot(_ id: IsolateID) -> Int {
        if last < watches.count, watches[last].id == id { return last }
        // A few isolates (the usual log): comparing beats hashing.
        if watches.count <= 16, let index = watches.firstIndex(where: { $0.id == id }) {
            last = index
            return index
        }
        if watches.count > 16, let index = slots[id] {
            last = index
            return index
        }
        watches.append(IsolateWatch(id: id, detector: detector.make(heapLimit: heapLimit), heapLimitRule: heapLimitRule))
        slots[id] = watches.count - 1
        last = watches.count - 1
        return last
    }
}
