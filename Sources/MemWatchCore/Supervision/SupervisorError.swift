import SystemPackage

/// Why the command could not be started or watched, for a person to read.
public enum SupervisorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: what memwatchd was doing, and how it failed.
    case system(String, Errno)
    /// The command could not be executed (not found, not executable).
    case cannotExecute(command: String, Errno)

    public var description: String {
        switch self {
        case .system(let what, let failure):
            "\(what) failed: \(failure)"
        case .cannotExecute(let command, let failure):
            "cannot run '\(command)': \(failure)"
                + (failure == .noSuchFileOrDirectory ? " (is it installed and on PATH?)" : "")
        }
    }
}
