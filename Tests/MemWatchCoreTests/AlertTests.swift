import Foundation
import Testing
@testable import MemWatchCore

@Suite struct AlertTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func humanSizesAndDurations() {
        #expect(HumanReadable.bytes(512) == "512 B")
        #expect(HumanReadable.bytes(Int64(48.2 * 1048576)) == "48.2 MB")
        #expect(HumanReadable.bytes(121 << 20) == "121 MB")
        #expect(HumanReadable.bytes(5 << 30) == "5.0 GB")
        // 1024-based, labelled as V8's trace labels them; heap diffs shrink too.
        #expect(HumanReadable.bytes(37_990) == "37.1 KB")
        #expect(HumanReadable.bytes(-2048) == "-2.0 KB")
        #expect(HumanReadable.bytes(-512) == "-512 B")
        #expect(HumanReadable.seconds(2.3) == "2.3 s")
        #expect(HumanReadable.seconds(42) == "42 s")
        #expect(HumanReadable.seconds(408) == "6m 48s")
        #expect(HumanReadable.seconds(3900) == "1h 05m")
    }

    @Test func leakAndSnapshotLinesReadAsTheIssueShowsThem() {
        let finding = LeakFinding(
            detector: "trend", id: IsolateID(pid: 4242, isolate: 0x5f1e3c0), atMs: 42_000,
            reason: "heap floor grew 48.2 MB over 7 full GCs in 42 s", heapUsed: 1)
        #expect(Alert(event: .leak(finding, time: Self.t0)).message
            == "leak in pid 4242 (isolate 0x5f1e3c0): heap floor grew 48.2 MB over 7 full GCs in 42 s")
        let snapshot = MemWatchEvent(
            time: Self.t0, type: .snapshot, pid: 4242,
            path: "/var/lib/memwatchd/snapshots/Heap.20261125.191837.4242.0.001.heapsnapshot",
            bytes: 121 << 20, seconds: 2.3)
        #expect(Alert(event: snapshot).message
            == "heap snapshot written: /var/lib/memwatchd/snapshots/Heap.20261125.191837.4242.0.001.heapsnapshot (121 MB, 2.3 s)")
        let skipped = MemWatchEvent(
            time: Self.t0, type: .snapshotSkipped, pid: 4242,
            reason: SnapshotSkipReason.doesNotCatchSnapshotSignal(pid: 4242, signal: SIGUSR2).description)
        #expect(Alert(event: skipped).message.hasPrefix("heap snapshot of pid 4242 skipped: pid 4242 does not catch SIGUSR2"))
        #expect(Alert(event: skipped).priority == .notice)
        #expect(Alert(event: .leak(finding, time: Self.t0)).priority == .warning)
    }

    @Test func structuredFieldsForSinksThatKeepThem() {
        let event = MemWatchEvent(
            time: Self.t0, type: .snapshot, pid: 42, path: "/s/Heap.x.heapsnapshot", bytes: 99, seconds: 1.5,
            details: ["note": .string("main thread only")])
        let fields = Alert(event: event).fields
        #expect(fields.map(\.name) == ["EVENT", "PID", "PATH", "BYTES", "SECONDS", "NOTE"])
        #expect(fields.map(\.value) == ["snapshot", "42", "/s/Heap.x.heapsnapshot", "99", "1.5", "main thread only"])
        #expect(Alert(event: event).message.hasSuffix("(99 B, 1.5 s); main thread only"))
    }

    @Test func workerThreadEventsSayWhichThread() {
        let failed = MemWatchEvent(
            time: Self.t0, type: .snapshotFailed, pid: 5, isolate: "0x1", thread: 2, reason: "timeout")
        #expect(Alert(event: failed).message == "heap snapshot of pid 5 (isolate 0x1, worker thread 2) failed: timeout")
        #expect(SnapshotSkipReason.dryRun(pid: 5, trigger: .workerRequest(thread: 2, reportDirectory: "/r")).description
            == "dry run: would have asked worker thread 2 of pid 5 for its heap snapshot")
        #expect(SnapshotSkipReason.dryRun(pid: 5, trigger: .signal(SIGUSR1)).description
            == "dry run: would have sent SIGUSR1 to pid 5")
    }

    @Test func exitEvents() {
        #expect(Alert(event: .exit(pid: 7, status: 3, signal: nil, time: Self.t0)).message == "pid 7 exited with status 3")
        let killed = MemWatchEvent.exit(pid: 7, status: nil, signal: 9, time: Self.t0)
        #expect(killed.reason == "killed by signal 9 (Killed)")
        #expect(killed.details["signal"] == .int(9))
    }

    @Test func stderrSinkWritesOnePrefixedLinePerAlert() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let sink = StderrAlertSink(descriptor: fds[1])
        let failed = MemWatchEvent(time: Self.t0, type: .snapshotFailed, pid: 9, reason: "pid 9 exited while writing")
        sink.emit(Alert(event: failed))
        sink.emit(Alert(event: .exit(pid: 9, status: 0, signal: nil, time: Self.t0)))
        StderrAlertSink(minimumPriority: .warning, descriptor: fds[1])
            .emit(Alert(event: MemWatchEvent(time: Self.t0, type: .exit, pid: 9, reason: "quiet")))
        close(fds[1])
        let output = String(decoding: FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        #expect(output == """
            memwatchd: heap snapshot of pid 9 failed: pid 9 exited while writing
            memwatchd: pid 9 exited with status 0

            """)
    }
}
