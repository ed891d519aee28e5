/// A leak heuristic over one isolate's GC events: a plain value, no clock, no
/// I/O, so offline replay (`memwatchd analyze`) and live watching decide alike.
public protocol LeakDetector: Sendable {
    /// Stable name used in events and JSON, e.g. `trend`.
    static var name: String { get }
    /// Feeds one GC of this detector's isolate, in trace order.
    mutating func observe(_ event: GCEvent) -> Verdict
}

/// What a detector concluded after one event.
public enum Verdict: Sendable, Equatable {
    /// No leak established (yet).
    case noLeak
    /// The evidence is complete at this event.
    case leak(LeakFinding)
}

/// A decided leak, with a reason a person can act on.
public struct LeakFinding: Sendable, Equatable {
    public var detector: String
    public var id: IsolateID
    /// The trace stamp of the GC line that completed the evidence.
    public var atMs: Double
    /// e.g. "heap floor grew 48.2 MB over 7 full GCs in 42 s (68.9 MB/min)".
    public var reason: String
    /// Heap in use after the deciding GC.
    public var heapUsed: Int64
    /// Estimated steady growth, when the detector measures one.
    public var growthBytesPerSecond: Double?
    /// The heap limit used for the projection, and the projection itself.
    public var heapLimit: Int64?
    public var secondsToLimit: Double?

    public init(
        detector: String, id: IsolateID, atMs: Double, reason: String, heapUsed: Int64,
        growthBytesPerSecond: Double? = nil, heapLimit: Int64? = nil, secondsToLimit: Double? = nil
    ) {
        self.detector = detector
        self.id = id
        self.atMs = atMs
        self.reason = reason
        self.heapUsed = heapUsed
        self.growthBytesPerSecond = growthBytesPerSecond
        self.heapLimit = heapLimit
        self.secondsToLimit = secondsToLimit
    }
}
