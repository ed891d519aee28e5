/// How a snapshot is asked for.
public enum SnapshotTrigger: Sendable, Equatable {
    /// SIGUSR2 through the pidfd: node writes the *main thread's* heap.
    case signal
    /// A request file for memwatchd's preload in that worker thread
    /// (``WorkerSnapshotRequest``): the worker writes its own heap. No signal
    /// is sent, so the SIGUSR2 guard does not apply; cooldown and limits
    /// count per worker thread.
    case workerRequest(thread: Int, reportDirectory: String)

    /// The worker thread whose heap is written, nil for the main thread.
    public var workerThread: Int? {
        if case let .workerRequest(thread, _) = self { return thread }
        return nil
    }
}
