import Foundation
import Testing
import TestSupport

/// `memwatchd analyze` as a user runs it: the built binary on recorded
/// traces, on a trace node writes while the test runs, and on bad input.
@Suite struct AnalyzeCommandTests {
    static let traces = URL(fileURLWithPath: Repository.traces)

    static func analyze(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try runProcess(Repository.binary, ["analyze"] + arguments, stdin: stdin ?? Data())
    }

    static let scenarioFiles: [String] = ["node20", "node22", "node24"].flatMap { v in
        ["leak_global_list", "leak_session_store", "leak_timer_closures", "ok_request_churn", "ok_ring_buffer", "ok_startup_cache"]
            .map { "\(v)/\($0).log" }
    }

    @Test(arguments: scenarioFiles)
    func jsonVerdictOnRecordedTrace(_ name: String) throws {
        let path = Self.traces.appendingPathComponent(name).path
        let result = try Self.analyze(["--json", path])
        #expect(result.status == 0, "\(result.stderrText)")
        let json = try jsonObject(result.stdout)
        let leaks = name.contains("/leak_")
        #expect(json["verdict"] as? String == (leaks ? "leak" : "ok"))
        let detections = try #require(json["detections"] as? [[String: Any]])
        let isolates = try #require(json["isolates"] as? [[String: Any]])
        #expect(detections.count == (leaks ? 1 : 0))

        // Isolate counts are what the log says.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        let isolate = try #require(isolates.first)
        #expect(isolates.count == 1)
        #expect(isolate["full_gcs"] as? Int == lines.filter { $0.contains(" ms: Mark-Compact") }.count)
        #expect(isolate["scavenges"] as? Int == lines.filter { $0.contains(" ms: Scavenge") }.count)
        let prefix = "[\(try #require(isolate["pid"] as? Int)):\(try #require(isolate["isolate"] as? String))]"
        #expect(lines.first?.hasPrefix(prefix) == true)

        if let detection = detections.first {
            #expect(detection["detector"] as? String == "trend")
            #expect(detection["pid"] as? Int == isolate["pid"] as? Int)
            #expect(detection["isolate"] as? String == isolate["isolate"] as? String)
            #expect((detection["reason"] as? String)?.contains("MB/min") == true)
            // at_ms is the stamp of a GC line of that isolate in the log.
            let atMs = try #require(detection["at_ms"] as? Int)
            #expect(lines.contains { $0.hasPrefix(prefix) && $0.contains(" \(atMs) ms: ") })
        }
    }

    @Test func severalFilesAreIndependentSourcesAndTextShowsTheTable() throws {
        let leak = Self.traces.appendingPathComponent("node22/leak_global_list.log").path
        let ok = Self.traces.appendingPathComponent("node22/ok_ring_buffer.log").path
        let json = try jsonObject(Self.analyze(["--json", leak, ok]).stdout)
        let isolates = try #require(json["isolates"] as? [[String: Any]])
        #expect(Set(isolates.compactMap { $0["source"] as? String }) == [leak, ok])
        #expect(isolates.map { $0["verdict"] as? String } .sorted { ($0 ?? "") < ($1 ?? "") } == ["leak", "ok"])

        let text = try Self.analyze([leak, ok])
        let output = text.stdoutText
        #expect(output.contains("SCAV/MINOR/FULL"))
        #expect(output.contains("LEAK at "))
        #expect(output.contains("heap floor grew"))
        #expect(output.contains("floor |"))
        #expect(output.contains("verdict: LEAK in 1 of 2 isolates"))
    }

    @Test func heapLimitProjectionAndFailOnLeak() throws {
        let leak = Self.traces.appendingPathComponent("node20/leak_timer_closures.log").path
        let result = try Self.analyze(["--json", "--heap-limit", "2048", "--fail-on-leak", leak])
        #expect(result.status == 1)
        let detection = try #require((try jsonObject(result.stdout)["detections"] as? [[String: Any]])?.first)
        #expect((detection["reason"] as? String)?.contains("at this rate the 2048 MB heap limit is reached in ~") == true)
        #expect((detection["seconds_to_limit"] as? Double ?? 0) > 0)
        let ok = Self.traces.appendingPathComponent("node20/ok_ring_buffer.log").path
        #expect(try Self.analyze(["--fail-on-leak", ok]).status == 0)
    }

    @Test func consecutiveGrowthCanBeChosen() throws {
        let leak = Self.traces.appendingPathComponent("node20/leak_global_list.log").path
        let json = try jsonObject(Self.analyze(["--json", "--detector", "consecutive-growth", leak]).stdout)
        let detection = try #require((json["detections"] as? [[String: Any]])?.first)
        #expect(detection["detector"] as? String == "consecutive-growth")
        #expect(try Self.analyze(["--detector", "bogus", leak]).status != 0)
    }

    @Test func unreadableFilesNameTheFileAndFail() throws {
        let missing = "/nonexistent/memwatchd-\(UUID().uuidString).log"
        let result = try Self.analyze(["--json", missing])
        #expect(result.status == 2)
        #expect(result.stderrText.contains(missing))
        #expect(result.stdout.isEmpty)
        let directory = try Self.analyze([NSTemporaryDirectory()])
        #expect(directory.status == 2)
        #expect(directory.stderrText.contains(NSTemporaryDirectory()))
    }

    @Test func garbageAndBinaryInputNeverCrash() throws {
        var generator = SystemRandomNumberGenerator()
        var junk = Data((0..<2_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        // GC-looking fragments, cut-off lines, a 1 MB line without a newline.
        junk += Data("\n[12:0x1]  5 ms: Scavenge 1.0 (2.0) -> \n[12:0x1] 99999999999999999999 ms: Mark-Compact 1e308 (x) -> -5 (2) MB,\n".utf8)
        junk += Data(repeating: UInt8(ascii: "["), count: 1_000_000)
        // No crash, a report all the same, and a failing status that says why.
        let result = try Self.analyze(["--json", "-"], stdin: junk)
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains("<stdin>: no GC trace line"))
        #expect(try jsonObject(result.stdout)["verdict"] as? String == "ok")
        let text = try Self.analyze(["-"], stdin: junk)
        #expect(text.status == 2)
        // With one real trace beside it, the junk is only warned about.
        let trace = Self.traces.appendingPathComponent("node20/ok_ring_buffer.log").path
        let mixed = try Self.analyze(["-", trace], stdin: junk)
        #expect(mixed.status == 0)
        #expect(mixed.stderrText.contains("<stdin>: no GC trace line"))
    }

    /// A `--trace-gc-verbose` figure of 2^53 KB and more once trapped the
    /// debug build and, in release, wrapped into a 10 MB heap limit and a
    /// false heap-limit alert. Now such a line is no figure: same verdict as
    /// the clean trace, no heap limit reached.
    @Test func outOfRangeVerboseFiguresRaiseNoHeapLimitAlert() throws {
        let dir = try TestRunDirectory.makeDirectory("analyze-huge-figures")
        defer { TestRunDirectory.remove(dir) }
        let clean = Self.traces.appendingPathComponent("node22/leak_global_list.verbose.log").path
        var lines = try String(contentsOfFile: clean, encoding: .utf8).components(separatedBy: "\n")
        let allocatorLines = lines.indices.filter { lines[$0].contains("Memory allocator,") }
        for (index, kb) in zip(allocatorLines, ["9007199254740992", "9223372036854775808", "99999999999999999999"]) {
            lines[index] = "[4537:0x249d1000] Memory allocator,       used:   \(kb) KB, available: 4237208 KB"
        }
        let poisoned = lines.joined(separator: "\n")
        let path = dir + "/poisoned.log"
        try poisoned.write(toFile: path, atomically: true, encoding: .utf8)

        let result = try Self.analyze(["--json", path])
        #expect(result.status == 0, "\(result.stderrText)")
        let json = try jsonObject(result.stdout)
        let expected = try jsonObject(Self.analyze(["--json", clean]).stdout)
        #expect(json["verdict"] as? String == expected["verdict"] as? String)
        let isolates = try #require(json["isolates"] as? [[String: Any]])
        #expect(!isolates.isEmpty)
        #expect(isolates.allSatisfy { $0["heap_limit_reached_at_ms"] == nil || $0["heap_limit_reached_at_ms"] is NSNull })
    }

    /// A leaking app traced by real node, piped straight into `analyze -`.
    @Test(.serialized, arguments: NodeBinary.available)
    func liveTraceOfALeakingApp(_ node: NodeBinary) throws {
        let dir = URL(fileURLWithPath: try TestRunDirectory.makeDirectory("analyze-live"))
        defer { TestRunDirectory.remove(dir.path) }
        let app = dir.appendingPathComponent("leak.js")
        // A session store that never expires (~4 MB/s) under request churn.
        // Trend needs its 10 s warm-up, a 10 s span and a full GC that
        // confirms the growth; V8 spaces full GCs by its own heuristics
        // (sometimes none between 14 s and 30 s, longer on a loaded machine),
        // so the app runs 60 s.
        try """
            const sessions = new Map(); let id = 0;
            const t = setInterval(() => {
              for (let i = 0; i < 2000; i++) JSON.stringify({ i, s: 'g' + i });
              for (let i = 0; i < 200; i++) sessions.set('sid' + id++, { user: 'u' + id, cart: [1, 2, 3], note: 'n'.repeat(60) });
            }, 10);
            setTimeout(() => { clearInterval(t); process.exit(0); }, 60000);
            """.write(to: app, atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("gc.log")
        let pipeline = [node.path, "--trace-gc", app.path].map(shellQuoted).joined(separator: " ")
            + " | tee \(shellQuoted(log.path)) | \(shellQuoted(Repository.binary)) analyze --json -"
        let result = try runProcess("/bin/sh", ["-c", pipeline])
        #expect(result.status == 0, "\(result.stderrText)")
        let json = try jsonObject(result.stdout)
        #expect(json["verdict"] as? String == "leak")
        let detection = try #require((json["detections"] as? [[String: Any]])?.first)
        let atMs = try #require(detection["at_ms"] as? Int)
        let pid = try #require(detection["pid"] as? Int)
        let recorded = try String(contentsOf: log, encoding: .utf8)
        #expect(recorded.contains("[\(pid):\(detection["isolate"] as? String ?? "?")]"))
        #expect(recorded.contains(" \(atMs) ms: "))
        #expect((detection["reason"] as? String)?.hasPrefix("heap floor grew") == true)
    }
}
