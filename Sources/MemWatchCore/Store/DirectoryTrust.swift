import Foundation
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Whether a directory memwatchd writes into can be trusted, as sshd's
/// StrictModes decides for `~/.ssh`: it is a real directory (not a symlink),
/// owned by memwatchd's user or root, writable by no one else, and so is
/// every directory above it, unless that one has the sticky bit (in a sticky
/// `/tmp` others cannot rename or delete what they do not own).
///
/// The state dir holds the preload that node runs (as root, when memwatchd
/// is root) and the store whose rows name snapshots to delete; a directory
/// anyone else can write would let them swap either.
public enum DirectoryTrust {
    /// What the directory is for, in messages: "state directory", "snapshot directory".
    public typealias Role = String

    /// Checks `path` and the directories above it; throws what is wrong, and
    /// how to fix it. `rootMayOwn`: root's ownership of `path` itself is fine
    /// (the state dir); a snapshot dir, which node writes as memwatchd's
    /// user, must be that user's own.
    public static func verify(
        _ path: String, role: Role, owner: uid_t = geteuid(), rootMayOwn: Bool = true
    ) throws(StateDirectoryError) {
        var info = stat()
        do {
            try SystemCall.value { lstat(path, &info) }
        } catch {
            throw .cannotInspect(path: path, error)
        }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: throw .isSymlink(path: path, role: role)
        case S_IFDIR: break
        default: throw .notADirectory(path: path, role: role)
        }
        guard info.st_uid == owner || rootMayOwn && info.st_uid == 0 else {
            throw .notOwned(path: path, role: role, owner: info.st_uid, us: owner)
        }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw .writableByOthers(path: path, role: role, mode: info.st_mode & 0o7777)
        }
        try verifyAncestors(of: path, role: role, owner: owner)
    }

    /// The real directories above `path`, from its parent up to `/`: any of
    /// them that someone else can write lets that someone replace `path`.
    private static func verifyAncestors(of path: String, role: Role, owner: uid_t) throws(StateDirectoryError) {
        let parent = (path as NSString).deletingLastPathComponent
        let resolved: UnsafeMutablePointer<CChar>
        do {
            resolved = try SystemCall.pointer { realpath(parent.isEmpty ? "." : parent, nil) }
        } catch {
            throw .cannotInspect(path: parent, error)
        }
        var ancestor = String(cString: resolved)
        free(resolved)
        while true {
            var info = stat()
            do {
                try SystemCall.value { stat(ancestor, &info) }
            } catch {
                throw .cannotInspect(path: ancestor, error)
            }
            let sticky = info.st_mode & S_ISVTX != 0
            let foreignOwner = info.st_uid != owner && info.st_uid != 0
            let othersWrite = info.st_mode & (S_IWGRP | S_IWOTH) != 0
            if foreignOwner || (othersWrite && !sticky) {
                throw .unsafeAncestor(
                    path: path, role: role, ancestor: ancestor, owner: info.st_uid, mode: info.st_mode & 0o7777)
            }
            if ancestor == "/" { return }
            ancestor = (ancestor as NSString).deletingLastPathComponent
            if ancestor.isEmpty { ancestor = "/" }
        }
    }
}
