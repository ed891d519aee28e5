import Foundation
import MemWatchCore
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `memwatchd run` end to end: real node apps, real signals, real snapshots, the real event store.
@Suite struct RunCommandTests {
    /// Leaks ~5 MB/s of small objects (`LEAKED_PER_TICK`) while churning garbage;
    /// prints `done` and exits 0.
    /// Runs 60 s (`APP_SECONDS`): the trend detector waits for a full GC (or a 20 s span)
    /// to confirm the growth. The churn matters: with little
    /// of it V8 (Node 24) may scavenge every ~3 s and run no full GC for 40 s,
    /// which leaves the trend detector nothing to confirm the growth with.
    /// With `LEAK_UNTIL_SNAPSHOTS=N` it stops leaking once N heap snapshots are
    /// in `SNAPSHOT_DIR`, so a long run stays small; with `EXIT_AFTER_SNAPSHOTS=N`
    /// it ends 2 s after N are there.
    static let leakingApp = """
        const fs = require('fs');
        class LeakedRecord { constructor(i) { this.i = i; this.note = 'leak'.repeat(25) + i; } }
        const keep = [];
        let stop = Date.now() + Number(process.env.APP_SECONDS || 60) * 1000;
        const snapshotsWanted = Number(process.env.LEAK_UNTIL_SNAPSHOTS || Infinity);
        // node writes the snapshots on this thread: a file seen here is whole.
        const snapshotsToExit = Number(process.env.EXIT_AFTER_SNAPSHOTS || Infinity);
        const leakedPerTick = Number(process.env.LEAKED_PER_TICK || 200);  // 200: about 5 MB/s
        const snapshotsTaken = () => fs.readdirSync(process.env.SNAPSHOT_DIR).filter(f => f.endsWith('.heapsnapshot')).length;
        let leaking = true, ticks = 0;
        const timer = setInterval(() => {
          if (++ticks % 100 === 0 && Math.min(snapshotsWanted, snapshotsToExit) < Infinity) {
            const taken = snapshotsTaken();
            if (taken >= snapshotsWanted) leaking = false;
            if (taken >= snapshotsToExit) stop = Math.min(stop, Date.now() + 2000);
          }
          if (leaking) for (let i = 0; i < leakedPerTick; i++) keep.push(new LeakedRecord(i));
          let garbage = 0;
          for (let i = 0; i < 3000; i++) garbage += JSON.stringify({ i, url: '/x/' + i }).length;
          if (Date.now() > stop) { clearInterval(timer); console.log('done', keep.length); }
        }, 10);
        """

    /// Churns garbage and keeps a bounded ring of records: no leak.
    static let steadyApp = """
        const ring = new Array(20000); let pos = 0;
        const stop = Date.now() + Number(process.env.APP_SECONDS || 25) * 1000;
        const timer = setInterval(() => {
          for (let i = 0; i < 300; i++) { ring[pos] = { pos, line: 'log'.repeat(30) }; pos = (pos + 1) % ring.length; }
          let garbage = 0;
          for (let i = 0; i < 1500; i++) garbage += JSON.stringify({ i, url: '/x/' + i }).length;
          if (Date.now() > stop) { clearInterval(timer); console.log('done'); }
        }, 10);
        """

    static func run(
        _ arguments: [String], state: String, environment: [String: String] = [:], timeout: TimeInterval = 120
    ) throws -> ProcessResult {
        try runProcess(Repository.binary, ["run", "--state-dir", state] + arguments, environment: environment, timeout: timeout)
    }

    static func events(_ events: [[String: Any]], type: String) -> [[String: Any]] {
        events.filter { $0["type"] as? String == type }
    }

    /// A whole V8 heap snapshot: starts as one, ends as a closed JSON document.
    static func expectWholeSnapshot(at path: String, bytes: Int?) throws {
        var info = stat()
        #expect(lstat(path, &info) == 0, "snapshot \(path) is missing")
        #expect(info.st_mode & 0o777 == 0o600, "snapshot mode is \(String(info.st_mode & 0o777, radix: 8))")
        #expect(Int(info.st_size) == bytes, "recorded size \(bytes ?? -1) differs from the file's \(info.st_size)")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(String(decoding: data.prefix(32), as: UTF8.self).hasPrefix(#"{"snapshot":{"meta":"#))
        let tail = data.suffix(64).filter { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        #expect(tail.last == UInt8(ascii: "}"), "snapshot does not end as a whole JSON document")
    }

    @Test(.serialized, arguments: NodeBinary.available)
    func leakingAppGetsARecordedWholeSnapshot(node: NodeBinary) throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        let app = try writeScript(Self.leakingApp, named: "leak.js", in: state)
        // Up to 110 s: V8's full GCs, which confirm the leak, come when they come.
        let result = try Self.run(
            ["--", node.path, app], state: state,
            environment: ["APP_SECONDS": "110", "EXIT_AFTER_SNAPSHOTS": "1", "SNAPSHOT_DIR": state + "/snapshots"],
            timeout: 180)
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        #expect(result.stdoutText.hasPrefix("done "), "app output: \(result.stdoutText)")
        #expect(!result.stdoutText.contains("Scavenge") && !result.stdoutText.contains("Mark-Compact"))

        let recorded = try recordedEvents(stateDirectory: state)
        let leaks = Self.events(recorded, type: "leak")
        try #require(leaks.count == 1, "events: \(recorded)")
        #expect((leaks[0]["detector"] as? String) == "trend")
        let snapshots = Self.events(recorded, type: "snapshot")
        try #require(snapshots.count == 1, "events: \(recorded)")
        #expect(snapshots[0]["pid"] as? Int == leaks[0]["pid"] as? Int)
        let path = try #require(snapshots[0]["path"] as? String)
        #expect(path.hasPrefix(state + "/snapshots/"))
        try Self.expectWholeSnapshot(at: path, bytes: snapshots[0]["bytes"] as? Int)
        #expect(result.stderrText.contains("memwatchd: leak in pid"))
        #expect(result.stderrText.contains("memwatchd: heap snapshot written: \(path)"))
    }

    @Test func followUpSnapshotsNameWhatGrewInTheLeakRecord() throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        let app = try writeScript(Self.leakingApp, named: "leak.js", in: state)
        // The comparison runs at the lowest CPU priority, so on a busy machine it
        // takes as long as it takes: the app runs until the record shows it,
        // leaking slowly (about 1.5 MB/s) and only until the second snapshot,
        // so that the snapshots stay small and their comparison quick.
        let memwatchd = try RunningProcess(
            Repository.binary,
            ["run", "--state-dir", state, "--snapshot-cooldown", "4", "--max-snapshots-per-process", "2", "--", "node", app],
            environment: ["APP_SECONDS": "600", "LEAK_UNTIL_SNAPSHOTS": "2", "SNAPSHOT_DIR": state + "/snapshots",
                          "LEAKED_PER_TICK": "60"])
        var growers: String?
        for _ in 0..<420 where growers == nil {
            sleep(1)
            let leak = Self.events(try recordedEvents(stateDirectory: state), type: "leak").first
            growers = (leak?["details"] as? [String: Any])?["top_growers"] as? String
        }
        memwatchd.signal(SIGTERM)
        let result = try memwatchd.wait(timeout: 60)
        let recorded = try recordedEvents(stateDirectory: state)
        let snapshots = Self.events(recorded, type: "snapshot")
        try #require(snapshots.count == 2, "events: \(recorded)")
        #expect((snapshots[1]["details"] as? [String: Any])?["trigger"] as? String == "leak-growth")
        let topGrowers = try #require(growers, "events: \(recorded)")
        #expect(topGrowers.contains("LeakedRecord"), "top growers: \(topGrowers)")
        #expect(result.stderrText.contains("what grew in pid"))
    }

    @Test func relativeStateAndSnapshotDirectoriesAreFromTheCurrentDirectory() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        _ = try writeScript("console.log('ok');", named: "app.js", in: dir)
        let command = "cd \(shellQuoted(dir)) && \(shellQuoted(Repository.binary)) run --state-dir state --snapshot-dir snaps -- node app.js"
        let result = try runProcess("/bin/sh", ["-c", command])
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        #expect(result.stdoutText == "ok\n")
        // The preload, loaded by path, reported the process.
        let reports = try FileManager.default.contentsOfDirectory(atPath: dir + "/state/procs")
        #expect(reports.contains { $0.hasSuffix(".json") }, "reports: \(reports)")
        #expect(FileManager.default.fileExists(atPath: dir + "/snaps"))
        #expect(Self.events(try recordedEvents(stateDirectory: dir + "/state"), type: "exit").count == 1)
    }

    @Test(.serialized, arguments: NodeBinary.available)
    func steadyAppRaisesNoLeak(node: NodeBinary) throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        let app = try writeScript(Self.steadyApp, named: "steady.js", in: state)
        let result = try Self.run(["--", node.path, app], state: state)
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        #expect(result.stdoutText == "done\n")
        let recorded = try recordedEvents(stateDirectory: state)
        #expect(Self.events(recorded, type: "leak").isEmpty, "events: \(recorded)")
        #expect(Self.events(recorded, type: "snapshot").isEmpty)
        #expect(Self.events(recorded, type: "exit").count == 1)
    }

    @Test func processThatDoesNotCatchSIGUSR2IsSkippedAndLivesOn() throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        let app = try writeScript(Self.leakingApp, named: "leak.js", in: state)
        let result = try Self.run(["--no-heapsnapshot-signal", "--", "node", app], state: state)
        // Killed by SIGUSR2 it would exit 140 and never print `done`.
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        #expect(result.stdoutText.hasPrefix("done "))
        let recorded = try recordedEvents(stateDirectory: state)
        let skipped = Self.events(recorded, type: "snapshot-skipped")
        try #require(skipped.count == 1, "events: \(recorded)")
        #expect((skipped[0]["reason"] as? String)?.contains("SIGUSR2") == true)
        #expect(Self.events(recorded, type: "snapshot").isEmpty)
    }

    @Test func snapshotComesThroughTheSignalNodeWasToldToUse() throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        // The app also catches SIGUSR2 and says so: memwatchd must send node's chosen SIGUSR1 only.
        let app = try writeScript(
            "process.on('SIGUSR2', () => console.log('GOT-SIGUSR2'));\n" + Self.leakingApp, named: "leak.js", in: state)
        let result = try Self.run(
            ["--", "node", "--heapsnapshot-signal=SIGUSR1", app], state: state,
            environment: ["APP_SECONDS": "110", "EXIT_AFTER_SNAPSHOTS": "1", "SNAPSHOT_DIR": state + "/snapshots"],
            timeout: 180)
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        #expect(result.stdoutText.hasPrefix("done "), "app output: \(result.stdoutText)")
        #expect(!result.stdoutText.contains("GOT-SIGUSR2"), "memwatchd sent SIGUSR2: \(result.stdoutText)")
        let recorded = try recordedEvents(stateDirectory: state)
        #expect(Self.events(recorded, type: "snapshot-skipped").isEmpty, "events: \(recorded)")
        let snapshots = Self.events(recorded, type: "snapshot")
        try #require(snapshots.count == 1, "events: \(recorded)")
        try Self.expectWholeSnapshot(at: try #require(snapshots[0]["path"] as? String), bytes: snapshots[0]["bytes"] as? Int)
    }

    @Test func exitStatusAndDeathBySignalPassThrough() throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        #expect(try Self.run(["--", "node", "-e", "process.exit(3)"], state: state).status == 3)
        #expect(try Self.run(["--", "node", "-e", "process.kill(process.pid, 'SIGKILL')"], state: state).status == 137)
        let missing = try Self.run(["--", "/nonexistent/command"], state: state)
        #expect(missing.status == 127)
        #expect(missing.stderrText.contains("/nonexistent/command"))
    }

    @Test func sigtermToMemwatchdStopsTheAppAndLeavesNoProcessBehind() throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        // The app ignores SIGTERM, so only the grace period's SIGKILL ends it.
        let app = try writeScript("""
            process.on('SIGTERM', () => console.log('got SIGTERM'));
            console.log('ready ' + process.pid);
            setInterval(() => {}, 1000);
            """, named: "stubborn.js", in: state)
        let memwatchd = try RunningProcess(Repository.binary, ["run", "--state-dir", state, "--stop-timeout", "1", "--", "sh", "-c", "node \(app)"])
        var appPID: Int32?
        for _ in 0..<300 where appPID == nil {
            usleep(50_000)
            appPID = ProcessReport.readAll(in: state + "/procs").first(where: \.isMainThread)?.pid
        }
        let pid = try #require(appPID, "the app never started")
        usleep(300_000)
        memwatchd.signal(SIGTERM)
        let result = try memwatchd.wait(timeout: 30)
        #expect(result.stdoutText.contains("got SIGTERM"))
        #expect(result.status == 128 + SIGTERM, "memwatchd exits with the status of its command, sh, killed by SIGTERM")
        // Gone, or a zombie left for init to reap: either way it no longer runs.
        let status = ProcReader().status(of: pid)
        #expect(status.value == nil || status.value?.isZombie == true, "app pid \(pid) outlived memwatchd")
    }

    @Test func clusterWorkerThatLeaksIsTheOnlyOneSnapshotted() throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        _ = try writeScript("""
            const cluster = require('cluster');
            if (cluster.isPrimary) {
              cluster.fork({ ROLE: 'leak' }); cluster.fork({ ROLE: 'steady' });
              let exited = 0; cluster.on('exit', () => { if (++exited === 2) process.exit(0); });
            } else {
              console.log(process.env.ROLE + ' ' + process.pid);
              // 60 s and request-like churn, as `leakingApp` (see there why).
              const keep = []; const stop = Date.now() + 60000;
              const timer = setInterval(() => {
                if (process.env.ROLE === 'leak') for (let i = 0; i < 200; i++) keep.push({ i, s: 'leak'.repeat(25) + i });
                let g = 0; for (let i = 0; i < 3000; i++) g += JSON.stringify({ i, url: '/x/' + i }).length;
                if (Date.now() > stop) { clearInterval(timer); process.exit(0); }
              }, 10);
            }
            """, named: "cluster.js", in: state)
        let wrapper = try writeScript("#!/bin/sh\nexec node \"$(dirname \"$0\")/cluster.js\"\n", named: "start.sh", in: state)
        let result = try Self.run(["--", "sh", wrapper], state: state)
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        let roles = Dictionary(uniqueKeysWithValues: result.stdoutText.split(separator: "\n").compactMap { line -> (String, Int)? in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let pid = Int(parts[1]) else { return nil }
            return (String(parts[0]), pid)
        })
        let leakPID = try #require(roles["leak"], "output: \(result.stdoutText)")
        let recorded = try recordedEvents(stateDirectory: state)
        let leaks = Self.events(recorded, type: "leak")
        #expect(!leaks.isEmpty && leaks.allSatisfy { $0["pid"] as? Int == leakPID }, "events: \(recorded)")
        let snapshots = Self.events(recorded, type: "snapshot")
        try #require(snapshots.count == 1, "events: \(recorded)")
        #expect(snapshots[0]["pid"] as? Int == leakPID)
        let path = try #require(snapshots[0]["path"] as? String)
        #expect(path.contains(".\(leakPID)."))
        try Self.expectWholeSnapshot(at: path, bytes: snapshots[0]["bytes"] as? Int)
    }

    @Test func leakInAWorkerThreadIsMarkedAndTheWorkerWritesItsOwnHeap() throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        let app = try writeScript("""
            const { Worker, isMainThread } = require('worker_threads');
            if (isMainThread) {
              const worker = new Worker(__filename);
              worker.on('exit', () => { console.log('worker done'); process.exit(0); });
              setInterval(() => { let g = 0; for (let i = 0; i < 500; i++) g += JSON.stringify({ i }).length; }, 10);
            } else {
              // Leaks until its own snapshot is written (V8's full GCs, which
              // confirm the leak, come when they come), then a moment more.
              const fs = require('fs'), { threadId } = require('worker_threads');
              const own = `.${process.pid}.${threadId}.`;
              const isOwnSnapshot = (f) => f.startsWith('Heap.') && f.includes(own) && f.endsWith('.heapsnapshot');
              class WorkerRecord { constructor(i) { this.i = i; this.s = 'worker'.repeat(20) + i; } }
              const keep = []; let stop = Date.now() + 120000, ticks = 0;
              const timer = setInterval(() => {
                for (let i = 0; i < 200; i++) keep.push(new WorkerRecord(i));
                let g = 0; for (let i = 0; i < 1000; i++) g += JSON.stringify({ i }).length;
                if (++ticks % 100 === 0 && fs.readdirSync(process.env.MEMWATCHD_SNAPSHOT_DIR).some(isOwnSnapshot)) {
                  stop = Math.min(stop, Date.now() + 2000);
                }
                if (Date.now() > stop) { clearInterval(timer); process.exit(0); }
              }, 10);
            }
            """, named: "worker.js", in: state)
        let result = try Self.run(["--", "node", app], state: state, timeout: 180)
        #expect(result.status == 0, "stderr: \(result.stderrText)")
        let recorded = try recordedEvents(stateDirectory: state)
        let leak = try #require(Self.events(recorded, type: "leak").first, "events: \(recorded)")
        let note = (leak["details"] as? [String: Any])?["note"] as? String
        #expect(note?.contains("worker thread") == true, "leak: \(leak)")
        #expect(result.stderrText.contains("is a worker thread; the SIGUSR2 snapshot covers the main thread's heap only"))
        let snapshots = Self.events(recorded, type: "snapshot")
        let workerSnapshot = try #require(
            snapshots.first { ($0["path"] as? String).map { !$0.contains(".0.0") && $0.hasSuffix(".heapsnapshot") } == true
                && ($0["details"] as? [String: Any])?["note"] as? String != note },
            "events: \(recorded)")
        let path = try #require(workerSnapshot["path"] as? String)
        try Self.expectWholeSnapshot(at: path, bytes: workerSnapshot["bytes"] as? Int)
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        #expect(contents.contains("WorkerRecord"), "the worker's own heap holds its records")
    }

    @Test(.serialized, arguments: NodeBinary.available)
    func leakIntoASmallHeapLimitLeavesAWholeSnapshotBeforeOOM(node: NodeBinary) throws {
        let state = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(state) }
        // ~10 MB/s into a 96 MB old space: dead of OOM within ~15 s.
        let app = try writeScript("""
            const keep = [];
            setInterval(() => { for (let i = 0; i < 1000; i++) keep.push({ i, s: 'oom'.repeat(30) + i }); }, 10);
            """, named: "oom.js", in: state)
        let result = try Self.run(
            ["--snapshot-cooldown", "600", "--", node.path, "--max-old-space-size=96", app], state: state, timeout: 90)
        #expect(result.status == 134, "stderr: \(result.stderrText.suffix(2000))")
        let recorded = try recordedEvents(stateDirectory: state)
        let snapshots = Self.events(recorded, type: "snapshot")
        try #require(!snapshots.isEmpty, "events: \(recorded)")
        for snapshot in snapshots {
            try Self.expectWholeSnapshot(at: try #require(snapshot["path"] as? String), bytes: snapshot["bytes"] as? Int)
        }
        let exits = Self.events(recorded, type: "exit")
        #expect(exits.count == 1 && (exits[0]["details"] as? [String: Any])?["status"] as? Int == 134)
    }
}
