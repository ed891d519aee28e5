import CSystemd
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One process, held by a pidfd from the moment memwatchd first sees it, so
/// that a signal can never reach a later process that reuses the pid.
public final class ProcessHandle: Sendable {
    public let pid: Int32
    /// The pidfd; readable once the process has exited.
    public let descriptor: Int32
    /// When memwatchd first saw the process: per-process snapshot limits
    /// count from here, so a reused pid starts afresh.
    public let since: Date

    public init(pid: Int32, since: Date = Date()) throws(ProcessHandleError) {
        let fd = memwatch_pidfd_open(pid)
        guard fd >= 0 else {
            throw errno == ESRCH ? .vanished(pid: pid) : .cannotOpen(pid: pid, errno: errno)
        }
        self.pid = pid
        self.descriptor = fd
        self.since = since
    }

    /// The process has exited (or is a zombie waiting to be reaped).
    public var hasExited: Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    deinit { close(descriptor) }
}

public enum ProcessHandleError: Error, Equatable, CustomStringConvertible {
    /// A vanished process is a normal case: it exited before we looked.
    case vanished(pid: Int32)
    case cannotOpen(pid: Int32, errno: Int32)

    public var description: String {
        switch self {
        case let .vanished(pid): "pid \(pid) is gone"
        case let .cannotOpen(pid, code): "cannot open a pidfd for pid \(pid): \(String(cString: strerror(code)))"
        }
    }
}
