import Foundation
import Glibc
import MemWatchCore
import Testing
import TestSupport

/// memwatchd as a hostile app or a hostile local user would meet it: the
/// app's output is never taken for memwatchd's to act on, the state dir is
/// trusted only when no one else can write it, and memwatchd's own trouble
/// never keeps the app from running.
@Suite struct TrustTests {
    /// A V8 `--trace-gc` full-GC line (Node 20's format) naming `pid`.
    static func fakeFullGC(pid: Int32, isolate: String = "0x5f1e3c0", ms: Int, mb: Double) -> String {
        let heap = String(format: "%.1f", mb)
        return "[\(pid):\(isolate)]  \(ms) ms: Mark-Compact \(heap) (\(heap)) -> \(heap) (\(heap)) MB, 5.53 / 0.00 ms  "
            + "(average mu = 1.000, current mu = 1.000) allocation failure; GC in old space requested"
    }

    /// A process outside memwatchd that catches SIGUSR2 and SIGUSR1 and says so.
    static let victimScript = """
        process.on('SIGUSR2', () => console.log('GOT-SIGUSR2'));
        process.on('SIGUSR1', () => console.log('GOT-SIGUSR1'));
        console.log('ready');
        setInterval(() => {}, 1000);
        """

    @Test func traceLinesNamingAnotherProcessNeverMakeMemwatchdSignalIt() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let victim = try RunningProcess("node", ["-e", Self.victimScript])
        defer { victim.kill() }
        try victim.waitForOutput("ready\n")

        // Two lines near a 100 MB heap limit (the urgent path skips the
        // cooldown) and 600 of a steady rise (enough for the trend detector).
        var lines = [Self.fakeFullGC(pid: victim.pid, ms: 100, mb: 95), Self.fakeFullGC(pid: victim.pid, ms: 200, mb: 97)]
        lines += (0..<600).map { Self.fakeFullGC(pid: victim.pid, ms: 1000 + $0 * 200, mb: 20 + Double($0) * 0.2) }
        let linesFile = dir + "/lines.txt"
        try (lines.joined(separator: "\n") + "\n").write(toFile: linesFile, atomically: true, encoding: .utf8)
        let app = "process.stdout.write(require('fs').readFileSync(process.argv[1]))"
        let run = try runProcess(Repository.binary, [
            "run", "--state-dir", dir + "/state", "--", "node", "--max-old-space-size=100", "-e", app, linesFile,
        ])
        #expect(run.status == 0, "stderr: \(run.stderrText)")
        // They are the app's output, byte for byte, not a trace to act on.
        #expect(run.stdoutText == lines.joined(separator: "\n") + "\n")
        let events = try recordedEvents(stateDirectory: dir + "/state")
        #expect(!events.contains { ($0["pid"] as? Int) == Int(victim.pid) }, "\(events)")

        // Signals are queued in order: once SIGUSR1 is answered, any SIGUSR2 sent before would have been.
        victim.signal(SIGUSR1)
        let said = try victim.waitForOutput("GOT-SIGUSR1")
        #expect(!said.contains("GOT-SIGUSR2"))
    }

    @Test func madeUpIsolatesOfTheAppAreBounded() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let app = #"""
            const lines = [];
            for (let i = 0; i < 300; i++) {
              lines.push(`[${process.pid}:0x${(0x10000 + i).toString(16)}]  ${100 + i} ms: Mark-Compact 9.0 (10.0) -> 8.0 (10.0) MB, 5.53 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; GC in old space requested`);
            }
            console.log(lines.join('\n'));
            console.log('end');
            """#
        let run = try runProcess(Repository.binary, ["run", "--state-dir", dir + "/state", "--", "node", "-e", app])
        #expect(run.status == 0, "stderr: \(run.stderrText)")
        #expect(run.stdoutText.hasSuffix("end\n"))
        let notes = run.stderrText.components(separatedBy: "traced more than \(WatchEngine.maxIsolatesPerProcess) isolates")
        #expect(notes.count == 2, "one note, got: \(run.stderrText)")
    }

    @Test func appLineQuotingATraceLinePassesWhole() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let quoted = "user said: [1:0x1]       5 ms: Scavenge 1.0 (2.0) -> 0.5 (2.0) MB, 0.10 / 0.00 ms  "
            + "(average mu = 1.000, current mu = 1.000) allocation failure;"
        let own = "relay: " + Self.fakeFullGC(pid: 0, ms: 5, mb: 3)  // pid filled in by the app
        let app = """
            console.log(\(String(reflecting: quoted)));
            console.log(\(String(reflecting: own)).replace('[0:', `[${process.pid}:`));
            console.log('end');
            """
        let run = try runProcess(Repository.binary, ["run", "--state-dir", dir + "/state", "--", "node", "-e", app])
        #expect(run.status == 0, "stderr: \(run.stderrText)")
        let lines = run.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[0] == quoted && lines[1].hasPrefix("relay: [") && lines[2] == "end",
                "stdout: \(run.stdoutText)")
    }

    // MARK: - The state directory

    @Test(.enabled(if: geteuid() == 0, "needs root to give directories away"))
    func stateDirectoryAnotherUserCanWriteIsRefused() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let marker = dir + "/app-ran"
        let app = ["node", "-e", "require('fs').writeFileSync(process.argv[1], 'x')", marker]

        let owned = dir + "/owned-by-nobody"
        #expect(mkdir(owned, 0o700) == 0 && chown(owned, 65534, 65534) == 0)
        let parent = dir + "/parent-of-nobody"
        #expect(mkdir(parent, 0o755) == 0 && chown(parent, 65534, 65534) == 0)
        let groupWritable = dir + "/group-writable"
        #expect(mkdir(groupWritable, 0o700) == 0 && chmod(groupWritable, 0o770) == 0)
        for (state, expected) in [
            (owned, "belongs to uid 65534"), (parent + "/state", "is below \(parent) (uid 65534"),
            (groupWritable, "is writable by others"),
        ] {
            let run = try runProcess(Repository.binary, ["run", "--state-dir", state, "--"] + app)
            #expect(run.status != 0)
            #expect(run.stderrText.contains("state directory \(state)") && run.stderrText.contains(expected),
                    "\(state): \(run.stderrText)")
            #expect(!FileManager.default.fileExists(atPath: marker), "no app runs with a preload others could replace")
        }

        // A sticky directory others can write (like /tmp) is fine.
        let sticky = dir + "/sticky"
        #expect(mkdir(sticky, 0o777) == 0 && chmod(sticky, 0o1777) == 0)
        let run = try runProcess(Repository.binary, ["run", "--state-dir", sticky + "/state", "--"] + app)
        #expect(run.status == 0, "stderr: \(run.stderrText)")
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    @Test func everythingInTheStateDirectoryIsPrivateWhateverTheUmask() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let state = dir + "/state"
        let command = "umask 000; exec \(shellQuoted(Repository.binary)) run --state-dir \(shellQuoted(state)) -- "
            + "node -e \(shellQuoted("const a = []; for (let i = 0; i < 2e5; i++) a.push({ i }); console.log('end')"))"
        let run = try runProcess("/bin/sh", ["-c", command])
        #expect(run.status == 0, "stderr: \(run.stderrText)")
        let files = try FileManager.default.subpathsOfDirectory(atPath: state).map { state + "/" + $0 } + [state]
        #expect(files.contains(state + "/procs") && files.contains(state + "/events.sqlite"))
        for path in files {
            var info = stat()
            #expect(lstat(path, &info) == 0)
            let expected: mode_t = info.st_mode & S_IFMT == S_IFDIR ? 0o700 : 0o600
            #expect(info.st_mode & 0o777 == expected, "\(path): \(String(info.st_mode & 0o777, radix: 8))")
        }
    }

    @Test func emptyStateOrSnapshotDirectoryIsRefused() throws {
        for arguments in [["run", "--state-dir", ""], ["run", "--snapshot-dir", ""], ["events", "--state-dir", ""]] {
            let extra = arguments[0] == "run" ? ["--", "node", "-e", "0"] : []
            let run = try runProcess(Repository.binary, arguments + extra)
            #expect(run.status != 0)
            #expect(run.stderrText.contains("must name a directory"), "\(arguments): \(run.stderrText)")
        }
    }

    // MARK: - memwatchd's own trouble

    @Test func corruptEventStoreIsMovedAsideAndTheAppRuns() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let state = dir + "/state"
        try StateDirectory(path: state).create()
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: state + "/events.sqlite"))

        let run = try runProcess(Repository.binary, ["run", "--state-dir", state, "--", "node", "-e", "console.log('app ran')"])
        #expect(run.status == 0, "stderr: \(run.stderrText)")
        #expect(run.stdoutText == "app ran\n")
        #expect(run.stderrText.contains("is damaged") && run.stderrText.contains("moved it to"), "\(run.stderrText)")
        let aside = try FileManager.default.contentsOfDirectory(atPath: state).filter { $0.hasPrefix("events.sqlite.corrupt-") }
        #expect(aside.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: state + "/" + aside[0])) == garbage, "kept as it was")
        // The fresh store says what happened, and the run's exit.
        let events = try recordedEvents(stateDirectory: state)
        #expect(events.contains { ($0["reason"] as? String)?.contains("moved it to") == true })
        #expect(events.last?["type"] as? String == "exit")
    }

    @Test func eventStoreThatCannotBeOpenedIsKeptInMemoryAndTheAppRuns() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let state = dir + "/state"
        try StateDirectory(path: state).create()
        #expect(mkdir(state + "/events.sqlite", 0o700) == 0)  // no store can be opened there

        let run = try runProcess(Repository.binary, ["run", "--state-dir", state, "--", "node", "-e", "console.log('app ran')"])
        #expect(run.status == 0, "stderr: \(run.stderrText)")
        #expect(run.stdoutText == "app ran\n")
        #expect(run.stderrText.contains("cannot open event store") && run.stderrText.contains("kept in memory only"),
                "\(run.stderrText)")
    }

    @Test func appThatClosesItsStdoutIsToldOnce() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let memwatchd = try RunningProcess(Repository.binary, [
            "run", "--state-dir", dir + "/state", "--", "node", "-e",
            "console.log('closing'); setTimeout(() => { require('fs').closeSync(1); setInterval(() => {}, 1000); }, 100)",
        ])
        defer { memwatchd.kill() }
        try memwatchd.waitForOutput("closed its stdout", onStderr: true, timeout: 60)
        memwatchd.signal(SIGTERM)
        let result = try memwatchd.wait()
        #expect(result.stderrText.components(separatedBy: "closed its stdout").count == 2, "\(result.stderrText)")
    }

    @Test func eventsOfAnUnknownTypeAreRefused() throws {
        let run = try runProcess(Repository.binary, ["events", "--type", "bogus"])
        #expect(run.status != 0)
        #expect(run.stderrText.contains("unknown event type 'bogus'") && run.stderrText.contains("snapshot-skipped"))
    }

    @Test func analyzeReadsMoreFilesThanTheDescriptorLimit() throws {
        let dir = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(dir) }
        let paths = try (0..<300).map { index in
            let path = dir + "/gc-\(index).log"
            try (Self.fakeFullGC(pid: Int32(100 + index), ms: 10, mb: 4) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let command = "ulimit -n 64; exec \(shellQuoted(Repository.binary)) analyze --json "
            + paths.map(shellQuoted).joined(separator: " ")
        let run = try runProcess("/bin/sh", ["-c", command])
        #expect(run.status == 0, "stderr: \(run.stderrText.prefix(500))")
        let isolates = try jsonObject(run.stdout)["isolates"] as? [[String: Any]]
        #expect(isolates?.count == 300)
    }
}
