/// What the response policy decided to do; the executor carries it out.
public enum ResponseAction: Sendable, Equatable {
    /// Record the event and tell the alert sinks.
    case record(MemWatchEvent)
    /// Ask the isolate's process for a heap snapshot.
    case snapshot(SnapshotOrder)
}

/// One snapshot to ask for, and the event it answers.
public struct SnapshotOrder: Sendable, Equatable {
    public var isolate: IsolateID
    public var reason: SnapshotReason
    /// V8 heap in use when it was decided.
    public var heapUsed: Int64
    /// The finding that asked for it, recorded right after the signal so the
    /// record never delays the signal (nil for a follow-up).
    public var announcing: MemWatchEvent?
    /// For the event: the isolate is a worker thread, whose heap the signal
    /// snapshot does not cover.
    public var workerNote: String?

    public init(
        isolate: IsolateID, reason: SnapshotReason, heapUsed: Int64,
        announcing: MemWatchEvent? = nil, workerNote: String? = nil
    ) {
        self.isolate = isolate
        self.reason = reason
        self.heapUsed = heapUsed
        self.announcing = announcing
        self.workerNote = workerNote
    }
}
