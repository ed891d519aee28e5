import Foundation
import Glibc
import MemWatchCore
import Testing
import TestSupport

/// Supervision as a user meets it, through `memwatchd run`: output fidelity,
/// exit statuses, signals, graceful stop, the wrapper and cluster routes, the
/// preload's reports, terminals and stdin. Real node, real signals, real /proc.
@Suite struct SupervisionTests {
    /// `memwatchd run --state-dir STATE [OPTIONS] -- COMMAND...`, started.
    static func start(_ command: [String], state: String, options: [String] = []) throws -> RunningProcess {
        try RunningProcess(Repository.binary, ["run", "--state-dir", state] + options + ["--"] + command)
    }

    /// The same, run to its end.
    static func run(_ command: [String], state: String, options: [String] = []) throws -> ProcessResult {
        try start(command, state: state, options: options).wait()
    }

    /// `memwatchd run` as a shell command line, for tests that give it a terminal.
    static func runCommandLine(_ command: [String], state: String) -> String {
        ([Repository.binary, "run", "--state-dir", state, "--"] + command).map(shellQuoted).joined(separator: " ")
    }

    /// A kept GC trace line (`--keep-gc-trace`): `[pid:0xisolate] ... ms: ...`.
    static func tracePID(_ line: Substring) -> Int32? {
        guard line.hasPrefix("["), line.contains(" ms: "), let colon = line.firstIndex(of: ":"),
              line[line.index(after: colon)...].hasPrefix("0x") else { return nil }
        return Int32(line[line.index(after: line.startIndex)..<colon])
    }

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

    @Test(arguments: NodeBinary.available)
    func outputIsTheAppsByteForByteWithoutGCLines(node: NodeBinary) throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = try writeScript(Self.fidelityApp, named: "app.js", in: dir)
        let run = try Self.run([node.path, app, dir + "/expected"], state: dir + "/state")
        #expect(run.status == 0, "stderr: \(run.stderrText)")
        let expected = try Data(contentsOf: URL(fileURLWithPath: dir + "/expected"))
        #expect(run.stdout == expected)
        #expect(!run.stdoutText.contains(" ms: Scavenge"))
        // The same app with the trace kept: it did print GC lines, so the
        // equality above means they were recognised and taken out.
        let kept = try Self.run([node.path, app, dir + "/expected"], state: dir + "/state", options: ["--keep-gc-trace"])
        let traceLines = kept.stdoutText.components(separatedBy: "\n").filter {
            $0.range(of: #"\[\d+:0x[0-9a-f]+\] +\d+ ms: "#, options: .regularExpression) != nil
        }
        #expect(traceLines.count > 10, "the app ran GC and its lines were recognised")
    }

    /// The user's own trace flags change V8's lines (Node 24+ adds a field to
    /// the prefix; Node 26 splits one nvp line in two): none reaches stdout.
    @Test(arguments: NodeBinary.available)
    func outputStaysTheAppsWithTraceFlagsTheUserAdds(node: NodeBinary) throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = try writeScript(Self.fidelityApp, named: "app.js", in: dir)
        for flag in ["--trace-gc-nvp", "--trace-gc-verbose"] {
            let run = try Self.run([node.path, flag, app, dir + "/expected"], state: dir + "/state")
            #expect(run.status == 0, "\(flag): \(run.stderrText)")
            let expected = try Data(contentsOf: URL(fileURLWithPath: dir + "/expected"))
            let extra = run.stdoutText.components(separatedBy: "\n").filter { !String(decoding: expected, as: UTF8.self).contains($0) }
            #expect(run.stdout == expected, "\(flag): \(extra.count) lines not the app's, e.g. \(extra.prefix(3))")
        }
    }

    @Test func keepGCTraceForwardsTraceLinesToo() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let run = try Self.run(
            ["node", "-e", "let a=[];for(let i=0;i<3e5;i++)a.push({i});console.log('end')"],
            state: dir, options: ["--keep-gc-trace"])
        // V8 may still collect after the app's last line (at exit, under load).
        let appLines = run.stdoutText.split(separator: "\n").filter { !$0.contains(" ms: ") }
        #expect(run.stdoutText.contains(" ms: Scavenge") && run.stdoutText.hasSuffix("\n"))
        #expect(appLines == ["end"], "stdout ends: \(run.stdoutText.suffix(400))")
    }

    @Test func exitStatusPassesThrough() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        #expect(try Self.run(["node", "-e", "process.exit(3)"], state: dir).status == 3)
        #expect(try Self.run(["node", "-e", "process.kill(process.pid, 'SIGKILL')"], state: dir).status == 137)
        #expect(try Self.run(["sh", "-c", "exit 0"], state: dir).status == 0)
        #expect(try Self.run(["no-such-command-memwatchd"], state: dir).status == 127)
    }

    @Test(arguments: [SIGTERM, SIGINT, SIGHUP, SIGUSR1])
    func signalsToMemwatchdReachTheApp(signal: Int32) throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let name = [SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGHUP: "SIGHUP", SIGUSR1: "SIGUSR1"][signal]!
        let app = """
            process.on('\(name)', () => { console.log('got \(name)'); process.exit(0); });
            console.log('ready');
            setInterval(() => {}, 1000);
            """
        let running = try Self.start(["node", "-e", app], state: dir)
        try running.waitForOutput("ready\n")
        running.signal(signal)
        let run = try running.wait()
        #expect(run.stdoutText == "ready\ngot \(name)\n")
        #expect(run.status == 0)
    }

    /// The first SIGINT starts the stop (and reaches the app once, whichever
    /// of memwatchd's two handlers of it runs first); a second one during the
    /// stop is passed on too.
    @Test func aSecondSignalDuringTheStopReachesTheAppToo() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = """
            let count = 0;
            process.on('SIGINT', () => { console.log(`got SIGINT ${++count}`); if (count === 2) process.exit(0); });
            console.log('ready');
            setInterval(() => {}, 1000);
            """
        let running = try Self.start(["node", "-e", app], state: dir, options: ["--stop-timeout", "60"])
        try running.waitForOutput("ready\n")
        running.signal(SIGINT)
        try running.waitForOutput("got SIGINT 1\n")
        running.signal(SIGINT)
        let run = try running.wait()
        #expect(run.stdoutText == "ready\ngot SIGINT 1\ngot SIGINT 2\n")
        #expect(run.status == 0)
    }

    @Test func stopWithGraceLeavesNoProcessBehind() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        // Ignores SIGTERM and has a child in its process group: both must go.
        let app = """
            process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
            const child = require('child_process').spawn('sleep', ['300'], { stdio: 'ignore' });
            console.log(`ready ${process.pid} ${child.pid}`);
            setInterval(() => {}, 1000);
            """
        let running = try Self.start(["node", "-e", app], state: dir, options: ["--stop-timeout", "1"])
        let ready = try running.waitForOutput("\n")
        let pids = ready.split(separator: " ").dropFirst().compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(pids.count == 2)
        let group = try #require(pids.first)
        #expect(!ProcReader().members(ofProcessGroup: group).isEmpty)
        running.signal(SIGTERM)
        let run = try running.wait()
        #expect(run.stdoutText.contains("ignoring SIGTERM"))
        #expect(run.status == 128 + SIGKILL)
        #expect(ProcReader().members(ofProcessGroup: group) == [])
        for pid in pids { #expect(ProcReader().status(of: pid).value.map(\.isZombie) ?? true) }
    }

    @Test func wrapperRouteGetsTheTraceThroughThePreload() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = try writeScript(
            "let a=[];for(let i=0;i<3e5;i++)a.push({i});console.log('wrapped ' + process.pid);", named: "app.js", in: dir)
        // `--trace-gc` cannot go through NODE_OPTIONS: trace lines of node's
        // own pid show that the preload switched the trace on.
        let run = try Self.run(["sh", "-c", "node \(shellQuoted(app))"], state: dir + "/state", options: ["--keep-gc-trace"])
        let lines = run.stdoutText.split(separator: "\n")
        let appLines = lines.filter { Self.tracePID($0) == nil }
        #expect(appLines.count == 1)
        let pid = try #require(appLines.first.flatMap { Int32($0.dropFirst("wrapped ".count)) }, "output: \(run.stdoutText)")
        #expect(lines.filter { Self.tracePID($0) == pid }.count > 3)
        #expect(ProcessReport.read(pid: pid, in: dir + "/state/procs") != nil)
    }

    @Test func clusterPrimaryAndTwoWorkersAreAllTraced() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = try writeScript("""
            const cluster = require('cluster');
            if (cluster.isPrimary) {
              let exited = 0;
              for (let i = 0; i < 2; i++) cluster.fork().on('exit', () => { if (++exited === 2) console.log('workers done'); });
              let a = []; for (let i = 0; i < 3e5; i++) a.push({ i });
            } else {
              let a = []; for (let i = 0; i < 3e5; i++) a.push({ i });
              process.exit(0);
            }
            """, named: "cluster.js", in: dir)
        let run = try Self.run(["node", app], state: dir + "/state", options: ["--keep-gc-trace"])
        let lines = run.stdoutText.split(separator: "\n")
        #expect(lines.filter { Self.tracePID($0) == nil } == ["workers done"])
        let tracedPIDs = Set(lines.compactMap(Self.tracePID))
        #expect(tracedPIDs.count == 3)
        let reports = ProcessReport.readAll(in: dir + "/state/procs")
        #expect(reports.count == 3)
        #expect(Set(reports.map(\.pid)) == tracedPIDs)
    }

    @Test func preloadReportsTheHeapLimit() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let run = try Self.run(["node", "--max-old-space-size=64", "-e", "console.log(process.pid)"], state: dir)
        let pid = try #require(Int32(run.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let report = try #require(ProcessReport.read(pid: pid, in: dir + "/procs"))
        #expect(report.isMainThread && report.threadID == 0)
        // 64 MB old space plus the young generation, well below node's default.
        #expect(report.heapSizeLimit >= 64 << 20 && report.heapSizeLimit < 512 << 20)
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/preload/memwatchd-preload.cjs")[.posixPermissions] as? Int
        #expect(mode == 0o600)  // node runs it as memwatchd's user: no one else reads or replaces it
    }

    @Test func workerThreadsReportToo() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = "const {Worker}=require('worker_threads'); new Worker('1', {eval: true}).on('exit', () => console.log('done'));"
        let run = try Self.run(["node", "-e", app], state: dir)
        #expect(run.stdoutText == "done\n")
        let reports = ProcessReport.readAll(in: dir + "/procs")
        #expect(reports.map(\.isMainThread).sorted { !$0 && $1 } == [false, true])
    }

    @Test func workerThreadWritesItsOwnHeapSnapshotWhenAsked() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let stop = dir + "/stop"
        let worker = "class WorkerOnlyMarker { constructor(i) { this.i = i; } }"
            + " globalThis.keep = Array.from({ length: 5000 }, (_, i) => new WorkerOnlyMarker(i));"
            + " const fs = require('fs'); const t = setInterval(() => { if (fs.existsSync('\(stop)')) clearInterval(t); }, 100);"
        let app = try writeScript(
            "new (require('worker_threads').Worker)(\(String(reflecting: worker)), { eval: true }); console.log('started');",
            named: "app.js", in: dir)
        let running = try Self.start(["node", app], state: dir + "/state")
        defer {
            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            running.kill()
        }
        let reports = dir + "/state/procs"
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
        #expect(path.hasPrefix(dir + "/state/snapshots/Heap.") && path.hasSuffix(".\(pid).\(thread).1.heapsnapshot"))
        let snapshot = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(String(decoding: snapshot.prefix(20), as: UTF8.self).hasPrefix("{\"snapshot\""))
        #expect(String(decoding: snapshot, as: UTF8.self).contains("WorkerOnlyMarker"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        _ = FileManager.default.createFile(atPath: stop, contents: nil)
        #expect(try running.wait().status == 0)
    }

    /// memwatchd under `script`, so its stdout is a terminal: the app gets a
    /// pty of its own and sees a TTY.
    @Test func appSeesATerminalWhenMemwatchdHasOne() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = try writeScript(
            "let a=[];for(let i=0;i<3e5;i++)a.push({i});console.log(`isTTY=${process.stdout.isTTY} cols=${process.stdout.columns}`);",
            named: "tty.js", in: dir)
        let run = try runInTerminal("stty cols 123 2>/dev/null; " + Self.runCommandLine(["node", app], state: dir))
        #expect(run.stdoutText.contains("isTTY=true cols=123"))
        #expect(!run.stdoutText.contains(" ms: Scavenge"))
        #expect(run.status == 0)
    }

    static let readsOneLine = "process.stdin.once('data', d => { console.log('read:' + d.toString().trim() + ' tty=' + process.stdin.isTTY); process.exit(0); });"

    /// stdin a terminal, stdout a pipe: the app runs in its own process
    /// group, which must own the terminal or reading stdin would stop it.
    @Test func appReadsTheTerminalInPipeMode() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = try writeScript(Self.readsOneLine, named: "read.js", in: dir)
        let run = try runInTerminal(Self.runCommandLine(["node", app], state: dir) + " | cat", typing: "hello\n")
        #expect(run.stdoutText.contains("read:hello tty=true"))
    }

    /// stdin and stdout terminals: keys go through memwatchd's raw terminal
    /// into the app's pty.
    @Test func appReadsItsPty() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = try writeScript(Self.readsOneLine, named: "read.js", in: dir)
        let run = try runInTerminal(Self.runCommandLine(["node", app], state: dir), typing: "hello\n")
        #expect(run.stdoutText.contains("read:hello tty=true\r\n"))
        #expect(run.status == 0)
    }

    @Test func pipeModeWhenStdoutIsNotATerminal() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let run = try Self.run(["node", "-e", "console.log(`isTTY=${!!process.stdout.isTTY}`)"], state: dir)
        #expect(run.stdoutText == "isTTY=false\n")
    }

    /// Piped stdin reaches the app whole.
    @Test func pipedStdinReachesTheApp() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let input = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let app = "const c=[];process.stdin.on('data',d=>c.push(d)).on('end',()=>{const b=Buffer.concat(c);console.log(b.length+' '+require('crypto').createHash('sha256').update(b).digest('hex'))});"
        let result = try RunningProcess(
            Repository.binary, ["run", "--state-dir", dir, "--", "node", "-e", app], stdin: input).wait()
        let digest = try runProcess("sha256sum", [], stdin: input).stdoutText.prefix(64)
        #expect(result.stdoutText == "\(input.count) \(digest)\n")
        #expect(result.status == 0)
    }
}
