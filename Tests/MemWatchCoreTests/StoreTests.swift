import Foundation
import Testing
import TestSupport
@testable import MemWatchCore

@Suite struct StoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func recordsAndReadsBackEveryFieldOldestFirst() throws {
        let dir = try TestRunDirectory.makeDirectory("memwatchd-store")
        defer { TestRunDirectory.remove(dir) }
        let store = try EventStore(path: dir + "/events.sqlite")
        let finding = LeakFinding(
            detector: "trend", id: IsolateID(pid: 4242, isolate: 0x5f1e3c0), atMs: 42_000,
            reason: "heap floor grew 48.2 MB over 7 full GCs in 42 s", heapUsed: 90 << 20,
            growthBytesPerSecond: 1_200_000)
        // Recorded out of order: reading sorts by time.
        let snapshot = MemWatchEvent(
            time: Self.t0.addingTimeInterval(3), type: .snapshot, pid: 4242, isolate: "0x5f1e3c0",
            path: "/s/Heap.20261125.191837.4242.0.001.heapsnapshot", bytes: 121 << 20, seconds: 2.25,
            heapUsed: 90 << 20)
        try store.record(snapshot)
        let leak = try store.record(.leak(finding, rss: 200 << 20, time: Self.t0))
        #expect(leak.id != nil)

        let events = try store.events()
        #expect(events.map(\.type) == [.leak, .snapshot])
        #expect(events[0].pid == 4242)
        #expect(events[0].isolate == "0x5f1e3c0")
        #expect(events[0].detector == "trend")
        #expect(events[0].reason == finding.reason)
        #expect(events[0].rss == 200 << 20)
        #expect(events[0].details["growth_bytes_per_second"] == .double(1_200_000))
        #expect(events[1].path == snapshot.path)
        #expect(events[1].bytes == 121 << 20)
        #expect(events[1].seconds == 2.25)
        #expect(events[1].time == Self.t0.addingTimeInterval(3))
    }

    @Test func filtersByTypeAndPid() throws {
        let dir = try TestRunDirectory.makeDirectory("memwatchd-store")
        defer { TestRunDirectory.remove(dir) }
        let store = try EventStore(path: dir + "/events.sqlite")
        for (offset, (type, pid)) in [(EventType.leak, Int32(1)), (.snapshotSkipped, 1), (.leak, 2)].enumerated() {
            try store.record(MemWatchEvent(time: Self.t0.addingTimeInterval(Double(offset)), type: type, pid: pid))
        }
        #expect(try store.events(type: .leak).map(\.pid) == [1, 2])
        #expect(try store.events(pid: 1).map(\.type) == [.leak, .snapshotSkipped])
        #expect(try store.events(type: .leak, pid: 2).count == 1)
    }

    @Test func aReaderSeesWhatAnotherConnectionWroteWhileItIsOpen() throws {
        let dir = try TestRunDirectory.makeDirectory("memwatchd-store")
        defer { TestRunDirectory.remove(dir) }
        let writer = try EventStore(path: dir + "/events.sqlite")
        try writer.record(MemWatchEvent(time: Self.t0, type: .leak, pid: 7))
        let reader = try #require(try EventStore(readingFrom: dir + "/events.sqlite"))
        #expect(try reader.events().count == 1)
        try writer.record(MemWatchEvent(time: Self.t0.addingTimeInterval(1), type: .exit, pid: 7))
        #expect(try reader.events().map(\.type) == [.leak, .exit])
        // WAL mode is what lets that happen without blocking the writer.
        let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: dir + "/events.sqlite")).read(upToCount: 20)
        #expect(header?[18] == 2 && header?[19] == 2)  // file format version 2 = WAL
    }

    @Test func storeInAStateDirectoryCreatesItPrivate() throws {
        let dir = try TestRunDirectory.makeDirectory("memwatchd-store")
        defer { TestRunDirectory.remove(dir) }
        let state = StateDirectory(path: dir + "/nested/memwatchd")
        let store = try EventStore(in: state)
        #expect(store.path == state.eventStorePath)
        try store.record(MemWatchEvent(time: Self.t0, type: .leak, pid: 1))
        #expect(try FileManager.default.attributesOfItem(atPath: state.path)[.posixPermissions] as? Int == 0o700)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to give a directory away"))
    func snapshotDirectoryOwnedBySomeoneElseIsRefused() throws {
        let dir = try TestRunDirectory.makeDirectory("memwatchd-store")
        defer { TestRunDirectory.remove(dir) }
        let foreign = dir + "/foreign"
        try StateDirectory.prepareSnapshotDirectory(foreign)
        #expect(chown(foreign, 65534, 65534) == 0)
        #expect(throws: StateDirectoryError.notOwned(path: foreign, role: "snapshot directory", owner: 65534, us: 0)) {
            try StateDirectory.prepareSnapshotDirectory(foreign)
        }
    }

    @Test func noStoreYetIsNil() throws {
        #expect(try EventStore(readingFrom: "/nonexistent/memwatchd/events.sqlite") == nil)
    }

    @Test func managedSnapshotsLeaveOutDeletedOnesAndHistoryCountsPerProcess() throws {
        let dir = try TestRunDirectory.makeDirectory("memwatchd-store")
        defer { TestRunDirectory.remove(dir) }
        let store = try EventStore(path: dir + "/events.sqlite")
        func snap(_ name: String, pid: Int32, at seconds: Double) throws {
            try store.record(MemWatchEvent(
                time: Self.t0.addingTimeInterval(seconds), type: .snapshot, pid: pid, path: "/s/\(name)", bytes: 10))
        }
        try snap("a", pid: 1, at: 0)
        try snap("b", pid: 1, at: 100)
        try snap("c", pid: 2, at: 200)
        try store.record(MemWatchEvent(time: Self.t0.addingTimeInterval(300), type: .snapshotDeleted, path: "/s/a", bytes: 10))
        #expect(try store.managedSnapshots().map(\.path) == ["/s/b", "/s/c"])

        let history = try store.snapshotHistory(pid: 1, since: Self.t0)
        #expect(history.count == 2)
        #expect(history.last == Self.t0.addingTimeInterval(100))
        // A later process reusing pid 1 starts with no history.
        #expect(try store.snapshotHistory(pid: 1, since: Self.t0.addingTimeInterval(150)).count == 0)
        #expect(try store.snapshotHistory(pid: 1, since: Self.t0.addingTimeInterval(150)).last == nil)
    }

    @Test func jsonShapeFollowsTheCLIContract() throws {
        let event = MemWatchEvent(
            time: Self.t0, type: .snapshot, pid: 4242, path: "/s/Heap.x.heapsnapshot", bytes: 1234, seconds: 0.5)
        let text = MemWatchEvent.jsonArray([event])
        #expect(text.hasPrefix(#"[\#n  {"time": "2027-01-15T08:00:00.000Z", "type": "snapshot", "pid": 4242, "path": "/s/"#))
        #expect(MemWatchEvent.jsonArray([]) == "[]")
        let data = Data(text.utf8)
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(array.count == 1)
        #expect(array[0]["time"] as? String == "2027-01-15T08:00:00.000Z")
        #expect(array[0]["type"] as? String == "snapshot")
        #expect(array[0]["pid"] as? Int == 4242)
        #expect(array[0]["path"] as? String == "/s/Heap.x.heapsnapshot")
        #expect(array[0]["bytes"] as? Int == 1234)
        #expect(array[0]["reason"] == nil)  // absent fields are left out, not null
    }

    @Test func defaultStateDirectoryFollowsXDG() {
        #expect(StateDirectory.default(environment: [:], isRoot: true).path == "/var/lib/memwatchd")
        #expect(StateDirectory.default(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/u"], isRoot: false).path
            == "/x/state/memwatchd")
        #expect(StateDirectory.default(environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/u"], isRoot: false).path
            == "/home/u/.local/state/memwatchd")
        #expect(StateDirectory(path: "/st").snapshotsPath == "/st/snapshots")
        #expect(StateDirectory(path: "/st").eventStorePath == "/st/events.sqlite")
    }

    @Test func snapshotDirectoryIsCreatedPrivateAndSymlinksAreRefused() throws {
        let dir = try TestRunDirectory.makeDirectory("memwatchd-store")
        defer { TestRunDirectory.remove(dir) }
        let snapshots = dir + "/state/snapshots"
        try StateDirectory.prepareSnapshotDirectory(snapshots)
        let mode = try FileManager.default.attributesOfItem(atPath: snapshots)[.posixPermissions] as? Int
        #expect(mode == 0o700)

        let link = dir + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: snapshots)
        #expect(throws: StateDirectoryError.isSymlink(path: link, role: "snapshot directory")) {
            try StateDirectory.prepareSnapshotDirectory(link)
        }
        let open = dir + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        chmod(open, 0o777)
        #expect(throws: StateDirectoryError.writableByOthers(path: open, role: "snapshot directory", mode: 0o777)) {
            try StateDirectory.prepareSnapshotDirectory(open)
        }
    }
}
