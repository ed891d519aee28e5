import Foundation
import MemWatchCore
import Synchronization
import Testing
import TestSupport

/// Real node, real SIGUSR2, real inotify, real SQLite, the built binary.
@Suite struct SnapshotNodeTests {
    static let app = """
        globalThis.keep = Array.from({ length: 20000 }, (_, i) => ({ i, text: 'item ' + i }));
        console.log('ready');
        setInterval(() => {}, 1000);
        """

    @Test(arguments: NodeBinary.available)
    func leakSnapshotIsWrittenWholePrivateAndRecorded(node: NodeBinary) async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        let app = try node.start(["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=\(state.snapshots)"], script: Self.app)
        defer { app.kill() }
        let alerts = CollectedAlerts()
        let taker = SnapshotTaker(snapshotDirectory: state.snapshots, reporter: try state.reporter(alerts))

        let outcome = await taker.take(try app.request(isolate: "0x1234"))

        guard case let .written(path, bytes, _) = outcome else {
            Issue.record("expected a written snapshot, got \(outcome)"); return
        }
        let name = (path as NSString).lastPathComponent
        #expect((path as NSString).deletingLastPathComponent == state.snapshots)
        #expect(SnapshotFileName.isSignalSnapshot(name, pid: app.pid))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect((attributes[.size] as? NSNumber)?.int64Value == bytes)
        // Whole: the entire file parses as JSON and holds the app's objects.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let strings = try #require(json?["strings"] as? [String])
        #expect(strings.contains("item 19999"))
        #expect(!app.handle.hasExited)
        #expect(alerts.messages.last?.hasPrefix("heap snapshot written: \(path) (") == true)

        // What a script sees: the built binary reading the store.
        let events = try recordedEvents(stateDirectory: state.path)
        #expect(events.count == 1)
        #expect(events.first?["type"] as? String == "snapshot")
        #expect(events.first?["pid"] as? Int == Int(app.pid))
        #expect(events.first?["path"] as? String == path)
        #expect((events.first?["bytes"] as? NSNumber)?.int64Value == bytes)
        #expect(events.first?["isolate"] as? String == "0x1234")
        let time = try #require(events.first?["time"] as? String)
        #expect((try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(time)) != nil)
        let filtered = try runProcess(Repository.binary, ["events", "--state-dir", state.path, "--json", "--type", "leak"])
        #expect(filtered.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        let byPid = try runProcess(Repository.binary, ["events", "--state-dir", state.path, "--json", "--pid", String(app.pid)])
        #expect(byPid.stdoutText.contains(path))
        let table = try runProcess(Repository.binary, ["events", "--state-dir", state.path])
        #expect(table.status == 0)
        #expect(table.stdoutText.contains("heap snapshot written: \(path)"))
    }

    @Test func processThatDoesNotCatchSIGUSR2IsSkippedAndKeepsRunning() async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        // Everything memwatchd would add except --heapsnapshot-signal.
        let app = try NodeBinary.system.start(["--diagnostic-dir=\(state.snapshots)"], script: Self.app)
        defer { app.kill() }
        let taker = SnapshotTaker(snapshotDirectory: state.snapshots, reporter: try state.reporter())

        let outcome = await taker.take(try app.request())

        #expect(outcome == .skipped(.doesNotCatchSnapshotSignal(pid: app.pid, signal: SIGUSR2)))
        #expect(!app.handle.hasExited)
        #expect(kill(app.pid, 0) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.snapshots).isEmpty)
        let events = try EventStore(path: state.store).events()
        #expect(events.map(\.type) == [.snapshotSkipped])
        #expect(events.first?.reason?.contains("does not catch SIGUSR2") == true)
        #expect(events.first?.details["skip"] == .string("sigusr2-not-caught"))
    }

    /// node opens its snapshot file by name, following a symlink: one planted
    /// under the name it would use next would point the heap at another file.
    @Test(arguments: ["symlink", "hardlink"])
    func plantedEntryUnderTheSnapshotsNameStopsTheSignal(kind: String) async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        let app = try NodeBinary.system.start(
            ["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=\(state.snapshots)"],
            script: "process.on('SIGUSR2', () => console.log('GOT-SIGUSR2'));\n" + Self.app)
        defer { app.kill() }
        let target = state.path + "/precious"
        try "keep me".write(toFile: target, atomically: true, encoding: .utf8)
        let planted = state.snapshots + "/Heap.20991231.235959.\(app.pid).0.001.heapsnapshot"
        if kind == "symlink" {
            try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: target)
        } else {
            #expect(link(target, planted) == 0)
        }
        let taker = SnapshotTaker(snapshotDirectory: state.snapshots, reporter: try state.reporter())

        let outcome = await taker.take(try app.request())

        #expect(outcome == .skipped(.plantedEntry(path: planted)))
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me")
        let events = try EventStore(path: state.store).events()
        #expect(events.map(\.type) == [.snapshotSkipped])
        #expect(events.first?.details["skip"] == .string("planted-entry"))
        #expect(!app.process.stdoutSoFar.contains("GOT-SIGUSR2"))
    }

    @Test func processExitingOnTheSignalGivesSnapshotFailed() async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        let app = try NodeBinary.system.start(
            [], script: "process.on('SIGUSR2', () => process.exit(3));\n" + Self.app)
        defer { app.kill() }
        let taker = SnapshotTaker(snapshotDirectory: state.snapshots, reporter: try state.reporter())

        let outcome = await taker.take(try app.request())

        #expect(outcome == .failed(
            reason: "pid \(app.pid) exited before writing a whole snapshot", partialFile: .noFile))
        let events = try EventStore(path: state.store).events()
        #expect(events.map(\.type) == [.snapshotFailed])
        #expect(events.first?.details["partial_file"] == .string("none"))
    }

    @Test func processThatNeverWritesTimesOutAndIsLeftRunning() async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        // Catches SIGUSR2 and ignores it: no snapshot will ever come.
        let app = try NodeBinary.system.start([], script: "process.on('SIGUSR2', () => {});\n" + Self.app)
        defer { app.kill() }
        let policy = SnapshotPolicy(timeoutBase: 1, timeoutPerHeapByte: 0)
        let taker = SnapshotTaker(snapshotDirectory: state.snapshots, policy: policy, reporter: try state.reporter())

        let outcome = await taker.take(try app.request())

        #expect(outcome == .failed(
            reason: "no whole snapshot from pid \(app.pid) after 1.0 s (timeout)", partialFile: .noFile))
        #expect(!app.handle.hasExited)
        #expect(try EventStore(path: state.store).events().map(\.type) == [.snapshotFailed])
    }

    @Test func processKilledWhileWritingLeavesNoPartialFile() async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        // A heap big enough that writing its snapshot takes a while.
        let app = try NodeBinary.system.start(
            ["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=\(state.snapshots)"], script: """
            globalThis.keep = Array.from({ length: 1500000 }, (_, i) => ({ i, next: null }));
            console.log('ready');
            setInterval(() => {}, 1000);
            """)
        defer { app.kill() }
        let taker = SnapshotTaker(snapshotDirectory: state.snapshots, reporter: try state.reporter())
        let request = try app.request()
        let snapshots = state.snapshots
        let pid = app.pid
        // Kill it as soon as the snapshot file appears: on a thread of its own,
        // since blocking tests may hold every thread of the concurrency pool.
        let killed = Mutex(false)
        let stop = Mutex(false)
        let killer = Thread {
            while !stop.withLock({ $0 }) {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? []
                if !names.isEmpty {
                    kill(pid, SIGKILL)
                    killed.withLock { $0 = true }
                    return
                }
                usleep(2_000)
            }
        }
        killer.start()

        let outcome = await taker.take(request)
        stop.withLock { $0 = true }

        #expect(killed.withLock { $0 })
        guard case let .failed(reason, .deleted(partialPath, _)) = outcome else {
            Issue.record("expected a failure with the partial file deleted, got \(outcome)"); return
        }
        #expect(reason == "pid \(pid) exited before writing a whole snapshot")
        #expect(!FileManager.default.fileExists(atPath: partialPath))
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.snapshots).isEmpty)
        let events = try EventStore(path: state.store).events()
        #expect(events.map(\.type) == [.snapshotFailed])
        #expect(events.first?.details["partial_file"] == .string("deleted"))
        #expect(events.first?.details["partial_path"] == .string(partialPath))
    }

    @Test func symlinkedSnapshotDirectoryIsRefusedAndTheProcessNotSignalled() async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        let elsewhere = state.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
        let link = state.path + "/linked-snapshots"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere)

        #expect(throws: StateDirectoryError.isSymlink(path: link, role: "snapshot directory")) {
            try StateDirectory.prepareSnapshotDirectory(link)
        }
        // Even a taker built around the check refuses before signalling.
        let app = try NodeBinary.system.start(["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=\(link)"], script: Self.app)
        defer { app.kill() }
        let taker = SnapshotTaker(snapshotDirectory: link, reporter: try state.reporter())
        let outcome = await taker.take(try app.request())
        guard case let .failed(reason, .noFile) = outcome else {
            Issue.record("expected a refusal, got \(outcome)"); return
        }
        #expect(reason.contains("is a symbolic link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        #expect(!app.handle.hasExited)
    }

    @Test func budgetDeletesTheOldestManagedSnapshotOnly() async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        let app = try NodeBinary.system.start(
            ["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=\(state.snapshots)"], script: Self.app)
        defer { app.kill() }
        // A snapshot memwatchd did not record: never its to delete.
        let foreign = state.snapshots + "/Heap.20200101.000000.1.0.001.heapsnapshot"
        try Data(repeating: 0x20, count: 64 << 20).write(to: URL(fileURLWithPath: foreign))
        let reporter = try state.reporter()
        let first = await SnapshotTaker(snapshotDirectory: state.snapshots, reporter: reporter).take(try app.request())
        guard case let .written(firstPath, firstBytes, _) = first else { Issue.record("first: \(first)"); return }

        // Room for the next snapshot (3 x 4 MB heap) only once the first is gone.
        let heap: Int64 = 4 << 20
        let policy = SnapshotPolicy(
            maxSnapshotBytes: firstBytes + SnapshotPolicy().expectedSnapshotBytes(heapUsed: heap) - 1, cooldown: 0)
        let second = await SnapshotTaker(snapshotDirectory: state.snapshots, policy: policy, reporter: reporter)
            .take(try app.request(heapUsed: heap))

        guard case let .written(secondPath, _, _) = second else { Issue.record("second: \(second)"); return }
        #expect(!FileManager.default.fileExists(atPath: firstPath))
        #expect(FileManager.default.fileExists(atPath: secondPath))
        #expect(FileManager.default.fileExists(atPath: foreign))
        let deleted = try reporter.store.events(type: .snapshotDeleted)
        #expect(deleted.map(\.path) == [firstPath])
        #expect(try reporter.store.managedSnapshots().map(\.path) == [secondPath])
    }

    @Test func heapdumpStyleSnapshotInTheAppDirectoryIsFoundAndMadePrivate() async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        let appDirectory = state.path + "/app"
        try FileManager.default.createDirectory(atPath: appDirectory, withIntermediateDirectories: false)
        // Like the heapdump module: its own SIGUSR2 handler, a file in the cwd;
        // written under another name, left world-readable, then renamed.
        let app = try NodeBinary.system.start([], script: """
            process.chdir(\(String(reflecting: appDirectory)));
            process.on('SIGUSR2', () => {
              const fs = require('fs');
              const written = require('v8').writeHeapSnapshot('in-progress.tmp');
              fs.chmodSync(written, 0o644);
              fs.renameSync(written, 'heapdump-12345.678.heapsnapshot');
            });
            """ + Self.app)
        defer { app.kill() }
        let taker = SnapshotTaker(snapshotDirectory: state.snapshots, reporter: try state.reporter())
        var request = try app.request()
        request.appDirectory = appDirectory

        let outcome = await taker.take(request)

        let expected = appDirectory + "/heapdump-12345.678.heapsnapshot"
        guard case let .written(path, _, _) = outcome else { Issue.record("got \(outcome)"); return }
        #expect(path == expected)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(try EventStore(path: state.store).events(type: .snapshot).map(\.path) == [expected])
    }

    @Test func workerThreadWritesItsOwnHeapThroughThePreload() async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        let reports = state.path + "/reports"
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: false)
        let preload = try Preload.write(into: try StateDirectory(path: state.path).prepareSubdirectory("preload"))
        let app = try NodeBinary.system.start(["--require", preload], script: """
            const { Worker } = require('worker_threads');
            const worker = new Worker(`
              globalThis.keepInWorker = Array.from({ length: 5000 }, (_, i) => 'wk-' + i);
              require('worker_threads').parentPort.postMessage('up');
              setInterval(() => {}, 1000);
            `, { eval: true });
            worker.on('message', () => console.log('ready'));
            globalThis.keep = Array.from({ length: 5000 }, (_, i) => 'mn-' + i);
            setInterval(() => {}, 1000);
            """, environment: ["MEMWATCHD_REPORT_DIR": reports, "MEMWATCHD_SNAPSHOT_DIR": state.snapshots])
        defer { app.kill() }
        let alerts = CollectedAlerts()
        let taker = SnapshotTaker(snapshotDirectory: state.snapshots, reporter: try state.reporter(alerts))
        var request = try app.request(isolate: "0xabc")
        request.trigger = .workerRequest(thread: 1, reportDirectory: reports)

        let outcome = await taker.take(request)

        guard case let .written(path, _, _) = outcome else { Issue.record("got \(outcome)"); return }
        #expect(SnapshotFileName.isSignalSnapshot((path as NSString).lastPathComponent, pid: app.pid, thread: 1))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let strings = try #require(json?["strings"] as? [String])
        // Short strings (< 13 characters) are flat, so the snapshot names them by value.
        let items = strings.filter { $0 == "wk-4999" || $0 == "mn-4999" }
        #expect(items == ["wk-4999"])  // the worker's heap, not the main thread's
        let recorded = try EventStore(path: state.store).events(type: .snapshot)
        #expect(recorded.map(\.thread) == [1])
        #expect(recorded.map(\.path) == [path])
        #expect(alerts.messages.last?.hasPrefix("heap snapshot of worker thread 1 written: \(path)") == true)
    }

    @Test func dryRunChecksEverythingAndSendsNothing() async throws {
        let state = try SnapshotTestState()
        defer { state.remove() }
        let app = try NodeBinary.system.start(
            ["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=\(state.snapshots)"], script: Self.app)
        defer { app.kill() }
        // A managed snapshot the budget would delete to make room: a dry run must not.
        let old = state.snapshots + "/Heap.20200101.000000.1.0.001.heapsnapshot"
        try Data(repeating: 0x20, count: 1 << 20).write(to: URL(fileURLWithPath: old))
        let reporter = try state.reporter()
        try reporter.store.record(MemWatchEvent(
            time: Date(timeIntervalSince1970: 1_600_000_000), type: .snapshot, pid: 1, path: old, bytes: 1 << 20))
        let policy = SnapshotPolicy(maxSnapshotBytes: 49 << 19)  // room for 3 x 8 MB, not for the old 1 MB file too
        let taker = SnapshotTaker(
            snapshotDirectory: state.snapshots, policy: policy, reporter: reporter, signaller: DryRunSignaller())
        let request = try app.request()
        guard case let .take(victims) = SnapshotGuards.evaluate(await taker.facts(for: request), policy: policy) else {
            Issue.record("the guards should allow the snapshot"); return
        }
        #expect(victims.map(\.path) == [old])  // what a real run would delete

        let outcome = await taker.take(request)

        #expect(outcome == .skipped(.dryRun(pid: app.pid, trigger: .signal(SIGUSR2))))
        #expect(!app.handle.hasExited)
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.snapshots) == [(old as NSString).lastPathComponent])
        #expect(try reporter.store.events().last?.reason == "dry run: would have sent SIGUSR2 to pid \(app.pid)")
        #expect(try reporter.store.events(type: .snapshotDeleted).isEmpty)
    }

    @Test func eventsCommandOnAMissingStoreIsEmptyAndSucceeds() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("memwatchd-none-\(UUID())").path
        let json = try runProcess(Repository.binary, ["events", "--state-dir", missing, "--json"])
        #expect(!FileManager.default.fileExists(atPath: missing))  // reading creates nothing
        #expect(json.status == 0)
        #expect(json.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        let table = try runProcess(Repository.binary, ["events", "--state-dir", missing])
        #expect(table.status == 0)
        #expect(table.stdoutText.isEmpty)
        #expect(table.stderrText.contains("no events recorded yet"))
    }
}

// MARK: - Support

extension NodeBinary {
    /// Starts `node ARGS -e SCRIPT` and returns once it printed `ready`.
    func start(_ arguments: [String], script: String, environment: [String: String] = [:]) throws -> SnapshotTestApp {
        let process = try RunningProcess(path, arguments + ["-e", script], environment: environment)
        do {
            try process.waitForOutput("ready\n")
        } catch {
            process.kill()
            throw TestFailure("node exited before it was ready: \(label) \(arguments): \(error)")
        }
        return SnapshotTestApp(process: process, handle: try ProcessHandle(pid: process.pid))
    }
}

final class SnapshotTestApp: Sendable {
    let process: RunningProcess
    let handle: ProcessHandle
    var pid: Int32 { handle.pid }

    init(process: RunningProcess, handle: ProcessHandle) {
        self.process = process
        self.handle = handle
    }

    /// The facts a daemon reads from /proc, through the same ProcReader.
    func request(isolate: String? = nil, heapUsed: Int64 = 8 << 20) throws -> SnapshotRequest {
        let proc = ProcReader()
        let status = try #require(proc.status(of: pid).value)
        return SnapshotRequest(
            process: handle, isolate: isolate, heapUsed: heapUsed, rss: status.rss,
            catchesSnapshotSignal: status.catches(signal: SIGUSR2), memAvailable: try #require(proc.memoryAvailable()))
    }

    func kill() { process.kill() }
}

/// A fresh state directory with its snapshot directory prepared as memwatchd does.
struct SnapshotTestState {
    let path: String
    var snapshots: String { StateDirectory(path: path).snapshotsPath }
    var store: String { StateDirectory(path: path).eventStorePath }

    init() throws {
        path = TestRunDirectory.path + "/memwatchd-snap-\(UUID())"
        try StateDirectory(path: path).create()
        try StateDirectory.prepareSnapshotDirectory(StateDirectory(path: path).snapshotsPath)
    }

    func remove() { TestRunDirectory.remove(path) }

    func reporter(_ alerts: any AlertSink = CollectedAlerts()) throws -> EventReporter {
        EventReporter(store: try EventStore(path: store), alerts: alerts)
    }
}

final class CollectedAlerts: AlertSink {
    private let alerts = Mutex<[Alert]>([])
    func emit(_ alert: Alert) { alerts.withLock { $0.append(alert) } }
    var messages: [String] { alerts.withLock { $0.map(\.message) } }
}
