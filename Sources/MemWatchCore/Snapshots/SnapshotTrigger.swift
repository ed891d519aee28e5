/// How a snapshot is asked for.
public enum SnapshotTrigger: Sendable, Equatable {
    /// The signal node was told to snapshot on (`--heapsnapshot-signal`),
    /// through the pidfd: node writes the *main thread's* heap.
    case signal(Int32)
    /// A request file for memwatchd's preload in that worker thread
    /// (``WorkerSnapshotRequest``): the worker writes its own heap. No signal
    /// is sent, so the signal guard does not apply; cooldown and limits
    /// count per worker thread.
    case workerRequest(thread: Int, reportDirectory: String)

    /// The worker thread whose heap is written, nil for the main thread.
    public var workerThread: Int? {
        if case let .workerRequest(thread, _) = self { return thread }
        return nil
    }

    /// The signal sent, nil for a worker request.
    public var signal: Int32? {
        if case let .signal(signal) = self { return signal }
        return nil
    }
}
