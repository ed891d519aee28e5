import SystemPackage

/// Sends signals to watched processes; behind a protocol so `--dry-run`
/// can log instead of act.
public protocol ProcessSignaller: Sendable {
    func send(_ signal: Int32, to process: ProcessHandle) -> SignalDelivery
    /// True when nothing is really sent, so callers skip their other side
    /// effects too (deleting old snapshots for room).
    var isDryRun: Bool { get }
}

extension ProcessSignaller {
    public var isDryRun: Bool { false }
}

/// What became of a signal.
public enum SignalDelivery: Sendable, Equatable {
    case delivered
    /// The process had exited: a normal case, not an error.
    case processExited
    /// Dry run: nothing was sent.
    case simulated
    case failed(Errno)
}
