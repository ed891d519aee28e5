import Foundation
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

    /// Creates the state directory (0700) if needed.
    public func create() throws(StateDirectoryError) {
        try Self.createPrivateDirectory(path)
    }

    /// Creates `path` (and missing parents) with mode 0700 and checks it is a
    /// directory we may safely write heap snapshots into: not a symlink, owned
    /// by us, not writable by others. Heap snapshots hold every string in the
    /// app's heap (tokens, passwords), so a directory someone else controls is refused.
    public static func prepareSnapshotDirectory(_ path: String) throws(StateDirectoryError) {
        try createPrivateDirectory(path)
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw .cannotInspect(path: path, reason: String(cString: strerror(errno)))
        }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFLNK { throw .snapshotDirectoryIsSymlink(path: path) }
        guard kind == S_IFDIR else { throw .notADirectory(path: path) }
        guard info.st_uid == geteuid() else {
            throw .snapshotDirectoryNotOwned(path: path, owner: info.st_uid, us: geteuid())
        }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw .snapshotDirectoryWritableByOthers(path: path, mode: info.st_mode & 0o777)
        }
    }

    static func createPrivateDirectory(_ path: String) throws(StateDirectoryError) {
        var info = stat()
        if lstat(path, &info) == 0 { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, parent != "/" {
            var parentInfo = stat()
            if stat(parent, &parentInfo) != 0 { try createPrivateDirectory(parent) }
        }
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw .cannotCreate(path: path, reason: String(cString: strerror(errno)))
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
    case cannotCreate(path: String, reason: String)
    case cannotInspect(path: String, reason: String)
    case notADirectory(path: String)
    case snapshotDirectoryIsSymlink(path: String)
    case snapshotDirectoryNotOwned(path: String, owner: uid_t, us: uid_t)
    case snapshotDirectoryWritableByOthers(path: String, mode: mode_t)

    public var description: String {
        switch self {
        case let .cannotCreate(path, reason):
            return "cannot create directory \(path): \(reason)"
        case let .cannotInspect(path, reason):
            return "cannot inspect \(path): \(reason)"
        case let .notADirectory(path):
            return "\(path) is not a directory; point --snapshot-dir at a directory"
        case let .snapshotDirectoryIsSymlink(path):
            return "snapshot directory \(path) is a symbolic link; memwatchd never follows a symlink "
                + "into its snapshot directory: use the real path or a directory of its own"
        case let .snapshotDirectoryNotOwned(path, owner, us):
            return "snapshot directory \(path) belongs to uid \(owner), not to memwatchd's uid \(us); "
                + "heap snapshots hold the app's secrets: use a directory memwatchd owns"
        case let .snapshotDirectoryWritableByOthers(path, mode):
            return "snapshot directory \(path) is writable by others (mode \(String(mode, radix: 8))); "
                + "run `chmod go-w \(path)` or use another directory"
        }
    }
}
