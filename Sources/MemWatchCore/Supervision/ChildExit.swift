import Glibc

/// How a child process ended.
public enum ChildExit: Sendable, Equatable, CustomStringConvertible {
    case exited(code: Int32)
    case killed(signal: Int32)

    /// The status a shell reports: the exit code, or 128+N when killed by
    /// signal N. memwatchd exits with this.
    public var shellStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .killed(let signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .killed(let signal): "killed by signal \(signal)"
        }
    }
}

extension ChildExit {
    /// Reaps the child behind `pidfd` (a pidfd, so never another child). Nil
    /// while it still runs (when not `blocking`), or when it was reaped
    /// elsewhere and its status is lost.
    public static func reap(pidfd: Int32, blocking: Bool) -> ChildExit? {
        var info = siginfo_t()
        // P_PIDFD (3): wait on exactly this child.
        guard (try? SystemCall.value { waitid(idtype_t(rawValue: 3), id_t(pidfd), &info, WEXITED | (blocking ? 0 : WNOHANG)) })
            != nil
        else { return nil }
        guard info._sifields._sigchld.si_pid != 0 else { return nil }
        let code = info._sifields._sigchld.si_status
        return info.si_code == CLD_EXITED ? .exited(code: code) : .killed(signal: code)
    }
}
