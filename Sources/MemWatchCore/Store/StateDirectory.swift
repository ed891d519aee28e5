import Foundation
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Where memwatchd keeps its event store and, by default, its heap snapshots.
///
/// Root uses `/var/lib/memwatchd`; anyone else `$XDG_STATE_HOME/memwatchd` or
/// `~/.local/state/memwatchd`. Snapshots go under `<state>/snapshots` unless
/// `--snapshot-dir` says otherwise.
public struct StateDirectory: Sendable, Equatable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// The default for the current user.
    public static func `default`(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        isRoot: Bool = geteuid() == 0
    ) -> StateDirectory {
        if isRoot { return StateDirectory(path: "/var/lib/memwatchd") }
        // The XDG spec says to ignore a relative XDG_STATE_HOME.
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return StateDirectory(path: xdg + "/memwatchd")
        }
        return StateDirectory(path: homeDirectory(environment: environment) + "/.local/state/memwatchd")
    }

    public var snapshotsPath: String { path + "/snapshots" }
    public var eventStorePath: String { path + "/events.sqlite" }

    /// Creates the state directory (0700, and missing parents) if needed and
    /// checks that it can be trusted (``DirectoryTrust``).
    public func create() throws(StateDirectoryError) {
        try Self.createPrivateDirectory(path)
        try DirectoryTrust.verify(path, role: "state directory")
    }

    /// Creates `path` (and missing parents) with mode 0700 and checks it is a
    /// directory we may safely write heap snapshots into: not a symlink, owned
    /// by us, not writable by others, nor below a directory others can write.
    /// Heap snapshots hold every string in the app's heap (tokens, passwords),
    /// so a directory someone else controls is refused.
    public static func prepareSnapshotDirectory(_ path: String) throws(StateDirectoryError) {
        try createPrivateDirectory(path)
        try DirectoryTrust.verify(path, role: "snapshot directory", rootMayOwn: false)
    }

    /// A directory of memwatchd's inside the state directory (the preload's,
    /// the reports'): created 0700 whatever the umask, and made so if an older
    /// memwatchd left it more open.
    public func prepareSubdirectory(_ name: String) throws(StateDirectoryError) -> String {
        let subdirectory = path + "/" + name
        try Self.createPrivateDirectory(subdirectory)
        var info = stat()
        if (try? SystemCall.value { lstat(subdirectory, &info) }) != nil, info.st_mode & S_IFMT == S_IFDIR,
           info.st_uid == geteuid(), info.st_mode & 0o077 != 0 {
            chmod(subdirectory, 0o700)
        }
        try DirectoryTrust.verify(subdirectory, role: "state directory")
        return subdirectory
    }

    static func createPrivateDirectory(_ path: String) throws(StateDirectoryError) {
        var info = stat()
        if (try? SystemCall.value { lstat(path, &info) }) != nil { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, parent != "/" {
            var parentInfo = stat()
            if (try? SystemCall.value { stat(parent, &parentInfo) }) == nil { try createPrivateDirectory(parent) }
        }
        do {
            try SystemCall.value { mkdir(path, 0o700) }
        } catch {
            if error != .fileExists { throw .cannotCreate(path: path, error) }
        }
    }

    private static func homeDirectory(environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        if let entry = getpwuid(geteuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return "/tmp"
    }
}

/// Why a state or snapshot directory cannot be used, with what to do about it.
public enum StateDirectoryError: Error, Equatable, CustomStringConvertible {
    case cannotCreate(path: String, Errno)
    case cannotInspect(path: String, Errno)
    case notADirectory(path: String, role: String)
    case isSymlink(path: String, role: String)
    case notOwned(path: String, role: String, owner: uid_t, us: uid_t)
    case writableByOthers(path: String, role: String, mode: mode_t)
    /// A directory above `path` that someone other than memwatchd's user or root can write.
    case unsafeAncestor(path: String, role: String, ancestor: String, owner: uid_t, mode: mode_t)

    public var description: String {
        switch self {
        case let .cannotCreate(path, failure):
            return "cannot create directory \(path): \(failure)"
        case let .cannotInspect(path, failure):
            return "cannot inspect \(path): \(failure)"
        case let .notADirectory(path, role):
            return "\(role) \(path) is not a directory; point memwatchd at a directory"
        case let .isSymlink(path, role):
            return "\(role) \(path) is a symbolic link; memwatchd never follows a symlink "
                + "into its \(role): use the real path or a directory of its own"
        case let .notOwned(path, role, owner, us):
            return "\(role) \(path) belongs to uid \(owner), not to memwatchd's uid \(us)"
                + (role == "snapshot directory" ? "" : " or root")
                + "; whoever owns it can replace what memwatchd keeps there (the preload node runs, "
                + "the heap snapshots with the app's secrets): run `chown \(us) \(path)` or use a directory memwatchd owns"
        case let .writableByOthers(path, role, mode):
            return "\(role) \(path) is writable by others (mode \(String(mode, radix: 8))); "
                + "run `chmod go-w \(path)` or use another directory"
        case let .unsafeAncestor(path, role, ancestor, owner, mode):
            return "\(role) \(path) is below \(ancestor) (uid \(owner), mode \(String(mode, radix: 8))), "
                + "which someone other than memwatchd's user and root can write without the sticky bit, "
                + "so they could replace \(path); run `chown root \(ancestor) && chmod go-w \(ancestor)` "
                + "(or `chmod +t` for a shared directory like /tmp), or use a directory elsewhere"
        }
    }
}
