import Foundation
import Testing
import TestSupport

@testable import MemWatchCore

/// The budget deletes managed snapshots: never a file a row in the store
/// names outside the snapshot directory, nor one reached through a symlink.
@Suite struct SnapshotBudgetTests {
    struct Silent: AlertSink { func emit(_ alert: Alert) {} }

    @Test func rowsNamingFilesOutsideTheSnapshotDirectoryAreNeverDeleted() async throws {
        let dir = try TestRunDirectory.makeDirectory("memwatchd-budget")
        defer { TestRunDirectory.remove(dir) }
        let snapshots = dir + "/snapshots"
        try StateDirectory.prepareSnapshotDirectory(snapshots)
        let precious = dir + "/precious"
        try "root's file".write(toFile: precious, atomically: true, encoding: .utf8)
        let linked = snapshots + "/Heap.20260101.000000.42.0.001.heapsnapshot"
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: precious)
        let real = snapshots + "/Heap.20260101.000001.42.0.002.heapsnapshot"
        try "snapshot".write(toFile: real, atomically: true, encoding: .utf8)

        let store = try EventStore(path: dir + "/events.sqlite")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        // Rows as a hostile writer of the store would plant them.
        for (index, path) in [precious, snapshots + "/../precious", linked, real].enumerated() {
            try store.record(MemWatchEvent(time: t0.addingTimeInterval(Double(index)), type: .snapshot, pid: 42, path: path, bytes: 8))
        }
        let budget = SnapshotBudgetEnforcer(
            reporter: EventReporter(store: store, alerts: Silent()), maxSnapshotBytes: 0, directory: snapshots)

        #expect(await budget.existingManagedSnapshots().map(\.path) == [real])
        let deleted = await budget.delete(try store.managedSnapshots())
        #expect(deleted.map(\.path) == [real])
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "root's file")
        #expect(FileManager.default.fileExists(atPath: linked))
        #expect(!FileManager.default.fileExists(atPath: real))
    }
}
