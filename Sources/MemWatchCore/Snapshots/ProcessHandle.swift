import CSystemd
import Foundation
import SystemPackage
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
        do {
            descriptor = try SystemCall.value { memwatch_pidfd_open(pid) }
        } catch {
            throw error == .noSuchProcess ? .vanished(pid: pid) : .cannotOpen(pid: pid, error)
        }
        self.pid = pid
        self.since = since
    }

    /// Takes over `descriptor`, a pidfd, for the process known as `pid`: a
    /// test gives a fixture /proc tree's pid to a real process.
    init(pid: Int32, adopting descriptor: Int32, since: Date = Date()) {
        self.pid = pid
        self.descriptor = descriptor
        self.since = since
    }

    /// The process has exited (or is a zombie waiting to be reaped).
    public var hasExited: Bool { exits(withinMilliseconds: 0) }

    /// Whether the process has exited, or does within the time given: a dying
    /// process closes its files a moment before its pidfd turns readable.
    public func exits(withinMilliseconds timeout: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = (try? SystemCall.value { poll(&entry, 1, timeout) }) ?? 0
        return ready > 0
    }

    deinit { close(descriptor) }
}

public enum ProcessHandleError: Error, Equatable, CustomStringConvertible {
    /// A vanished process is a normal case: it exited before we looked.
    case vanished(pid: Int32)
    case cannotOpen(pid: Int32, Errno)

    public var description: String {
        switch self {
        case let .vanished(pid): "pid \(pid) is gone"
        case let .cannotOpen(pid, failure): "cannot open a pidfd for pid \(pid): \(failure)"
        }
    }
}
