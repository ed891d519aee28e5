import Foundation

/// The GC trace of `memwatchd run`'s command and every process below it,
/// taken out of the command's stdout by the ``Supervisor``.
public struct ChildOutputTraceSource: TraceSource {
    public let supervisor: Supervisor

    public init(supervisor: Supervisor) {
        self.supervisor = supervisor
    }

    public func records() -> AsyncStream<[GCTraceRecord]> { supervisor.traceRecords }

    public func endNote() -> MemWatchEvent? {
        guard supervisor.outputClosedWhileRunning else { return nil }
        return MemWatchEvent(
            time: Date(), type: .alert, pid: supervisor.pid,
            reason: "the app closed its stdout and runs on: its GC trace can no longer be read, so leaks "
                + "are no longer detected; memwatchd waits for it to exit")
    }
}
