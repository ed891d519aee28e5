import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Deletes managed snapshots to keep within `--max-snapshot-bytes`, recording
/// a `snapshot-deleted` event for each.
///
/// A path read back from the store is never trusted alone: only a regular
/// file directly inside the snapshot directory memwatchd manages is counted
/// or deleted, found by name relative to that directory's descriptor, never
/// through a symlink. A row planted in the store cannot aim it elsewhere.
public struct SnapshotBudgetEnforcer: Sendable {
    public let reporter: EventReporter
    public let maxSnapshotBytes: Int64
    /// The snapshot directory, as its snapshots' paths name it.
    public let directory: String

    public init(reporter: EventReporter, maxSnapshotBytes: Int64, directory: String) {
        self.reporter = reporter
        self.maxSnapshotBytes = maxSnapshotBytes
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    /// Managed snapshots that are still regular files in the snapshot directory, oldest first.
    public func existingManagedSnapshots() async -> [ManagedSnapshot] {
        let recorded = (try? await reporter.withStore { store throws(EventStoreError) in try store.managedSnapshots() }) ?? []
        return withDirectory { directoryFD in
            recorded.filter { snapshot in
                guard let name = name(inDirectory: snapshot.path) else { return false }
                var info = stat()
                return (try? SystemCall.value { fstatat(directoryFD, name, &info, AT_SYMLINK_NOFOLLOW) }) != nil
                    && info.st_mode & S_IFMT == S_IFREG
            }
        } ?? []
    }

    /// Deletes these snapshots, which must be managed ones. Returns those
    /// deleted (or already gone); anything outside the snapshot directory,
    /// or not a regular file, is left alone.
    @discardableResult
    public func delete(_ snapshots: [ManagedSnapshot], now: Date = Date()) async -> [ManagedSnapshot] {
        let deleted = withDirectory { directoryFD in
            snapshots.filter { snapshot in
                guard let name = name(inDirectory: snapshot.path) else { return false }
                var info = stat()
                let exists = (try? SystemCall.value { fstatat(directoryFD, name, &info, AT_SYMLINK_NOFOLLOW) }) != nil
                if exists, info.st_mode & S_IFMT != S_IFREG { return false }
                return !exists || (try? SystemCall.value { unlinkat(directoryFD, name, 0) }) != nil
            }
        } ?? []
        for snapshot in deleted {
            await reporter.report(MemWatchEvent(
                time: now, type: .snapshotDeleted,
                reason: "oldest managed snapshot deleted to stay within the snapshot budget of "
                    + "\(HumanReadable.bytes(maxSnapshotBytes)) (--max-snapshot-bytes)",
                path: snapshot.path, bytes: snapshot.bytes))
        }
        return deleted
    }

    /// The file name of `path` when it lies directly in the snapshot directory.
    private func name(inDirectory path: String) -> String? {
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard parent == directory, !name.isEmpty, name != ".", name != "..", !name.contains("/") else { return nil }
        return name
    }

    private func withDirectory<T>(_ body: (Int32) -> T) -> T? {
        guard let fd = try? SystemCall.value({ open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) })
        else { return nil }
        defer { close(fd) }
        return body(fd)
    }
}
