import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Deletes managed snapshots (files memwatchd recorded, never others) to keep
/// within `--max-snapshot-bytes`, recording a `snapshot-deleted` event for each.
public struct SnapshotBudgetEnforcer: Sendable {
    public let reporter: EventReporter
    public let maxSnapshotBytes: Int64

    public init(reporter: EventReporter, maxSnapshotBytes: Int64) {
        self.reporter = reporter
        self.maxSnapshotBytes = maxSnapshotBytes
    }

    /// Managed snapshots that are still regular files on disk, oldest first.
    public func existingManagedSnapshots() -> [ManagedSnapshot] {
        let recorded = (try? reporter.store.managedSnapshots()) ?? []
        return recorded.filter { snapshot in
            var info = stat()
            return lstat(snapshot.path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
        }
    }

    /// Deletes the oldest managed snapshots until they fit the budget (e.g. at
    /// start-up after the budget was lowered). Returns what was deleted.
    @discardableResult
    public func enforce(now: Date = Date()) -> [ManagedSnapshot] {
        var remaining = existingManagedSnapshots().reduce(Int64(0)) { $0 + $1.bytes }
        var victims: [ManagedSnapshot] = []
        for snapshot in existingManagedSnapshots() where remaining > maxSnapshotBytes {
            victims.append(snapshot)
            remaining -= snapshot.bytes
        }
        return delete(victims, now: now)
    }

    /// Deletes these snapshots, which must be managed ones. A path whose
    /// directory or file has become a symlink is left alone.
    @discardableResult
    public func delete(_ snapshots: [ManagedSnapshot], now: Date = Date()) -> [ManagedSnapshot] {
        snapshots.filter { snapshot in
            let directory = (snapshot.path as NSString).deletingLastPathComponent
            let name = (snapshot.path as NSString).lastPathComponent
            let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard directoryFD >= 0 else { return false }
            defer { close(directoryFD) }
            var info = stat()
            let exists = fstatat(directoryFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0
            if exists, info.st_mode & S_IFMT != S_IFREG { return false }
            if exists, unlinkat(directoryFD, name, 0) != 0 { return false }
            reporter.report(MemWatchEvent(
                time: now, type: .snapshotDeleted,
                reason: "oldest managed snapshot deleted to stay within the snapshot budget of "
                    + "\(HumanReadable.bytes(maxSnapshotBytes)) (--max-snapshot-bytes)",
                path: snapshot.path, bytes: snapshot.bytes))
            return true
        }
    }
}
