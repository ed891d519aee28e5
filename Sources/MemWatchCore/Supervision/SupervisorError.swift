import Glibc

/// Why the command could not be started or watched, for a person to read.
public enum SupervisorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: what memwatchd was doing and errno.
    case system(String, Int32)
    /// The command could not be executed (not found, not executable).
    case cannotExecute(command: String, errno: Int32)

    public var description: String {
        switch self {
        case .system(let what, let code):
            "\(what) failed: \(String(cString: strerror(code)))"
        case .cannotExecute(let command, let code):
            "cannot run '\(command)': \(String(cString: strerror(code)))"
                + (code == ENOENT ? " (is it installed and on PATH?)" : "")
        }
    }
}
