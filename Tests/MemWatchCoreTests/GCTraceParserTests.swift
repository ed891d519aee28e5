import Testing
@testable import MemWatchCore

/// Exact fields of lines in every format, figures taken from the line text.
@Suite struct GCTraceParserTests {
    @Test func node20MarkCompactFromRecordedTrace() throws {
        let line = try GCTraceFixture.line("traces/node20/leak_global_list.log", containing: " 4781 ms: ")
        let e = try #require(gcEvent(line))
        #expect(e.id == IsolateID(pid: 4248, isolate: 0x3e89_b800))
        #expect(e.timeMs == 4781)
        #expect(e.kind == .markCompact && e.variant == nil)
        #expect(e.usedBefore == mb(26.0) && e.committedBefore == mb(57.3))
        #expect(e.usedAfter == mb(24.0) && e.committedAfter == mb(56.9))
        #expect(e.pauseMs == 1.72)
        #expect(e.reason == "finalize incremental marking via task")
    }

    @Test func node20Scavenge() throws {
        let line = try GCTraceFixture.line("traces/node20/leak_global_list.log", containing: " 63 ms: ")
        let e = try #require(gcEvent(line))
        #expect(e.kind == .scavenge && e.timeMs == 63)
        #expect(e.usedBefore == mb(3.9) && e.committedBefore == mb(4.0))
        #expect(e.usedAfter == mb(3.1) && e.committedAfter == mb(5.0))
        #expect(e.pauseMs == 5.53 && e.reason == "allocation failure")
    }

    @Test func node22PooledLines() throws {
        let scavenge = try #require(gcEvent(try GCTraceFixture.line("traces/node22/leak_global_list.log", containing: " 59 ms: ")))
        #expect(scavenge.id == IsolateID(pid: 4472, isolate: 0x3452_8000))
        #expect(scavenge.usedBefore == mb(4.3) && scavenge.committedAfter == mb(6.1))
        #expect(scavenge.pauseMs == 2.36 && scavenge.reason == "task")
        let full = try #require(gcEvent(try GCTraceFixture.line("traces/node22/leak_global_list.log", containing: " 6770 ms: ")))
        #expect(full.kind == .markCompact)
        #expect(full.usedBefore == mb(35.7) && full.committedBefore == mb(67.0))
        #expect(full.usedAfter == mb(33.7) && full.committedAfter == mb(67.4))
        #expect(full.pauseMs == 7.57)
    }

    @Test func node24MarkCompact() throws {
        let e = try #require(gcEvent(try GCTraceFixture.line("traces/node24/leak_global_list.log", containing: " 1874 ms: ")))
        #expect(e.id == IsolateID(pid: 4559, isolate: 0x3c54_4000))
        #expect(e.usedBefore == mb(12.5) && e.committedBefore == mb(44.2))
        #expect(e.usedAfter == mb(11.9) && e.committedAfter == mb(44.8))
        #expect(e.pauseMs == 3.57)
    }

    @Test func markCompactReduceFromNode24OOM() throws {
        let line = try GCTraceFixture.line("gc-lines/node24-oom.stdout.log", containing: "(reduce)")
        let e = try #require(gcEvent(line))
        #expect(e.kind == .markCompact && e.variant == "reduce")
        #expect(e.timeMs == 243)
        #expect(e.usedBefore == mb(20.0) && e.committedBefore == mb(52.0))
        #expect(e.usedAfter == mb(19.5) && e.committedAfter == mb(21.2))
        #expect(e.pauseMs == 18.88)
    }

    @Test func minorCollectors() throws {
        let mc = try #require(gcEvent(try GCTraceFixture.lines("gc-lines/node20-minor-mc.log").first.map(String.init) ?? ""))
        #expect(mc.kind == .minorMarkSweep)
        let msLine = try #require(try GCTraceFixture.lines("gc-lines/node22-minor-ms.log").first { $0.contains("Minor Mark-Sweep") })
        let ms = try #require(gcEvent(String(msLine)))
        #expect(ms.kind == .minorMarkSweep && ms.variant == nil)
    }

    @Test func interleavedAndReduceVariants() throws {
        let scavenge = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "Scavenge (interleaved)")))
        #expect(scavenge.kind == .scavenge && scavenge.variant == "interleaved")
        #expect(scavenge.usedBefore == mb(21.9) && scavenge.usedAfter == mb(21.0))
        let minor = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "Minor Mark-Sweep (reduce)")))
        #expect(minor.kind == .minorMarkSweep && minor.variant == "reduce, interleaved")
        #expect(minor.reason == "memory reducer" && minor.pauseMs == 1.20)
        let shared = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "Shared Mark-Compact")))
        #expect(shared.kind == .markCompact && shared.variant == "shared")
    }

    @Test func decimalCommas() throws {
        let e = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "41,1 (65,7)")))
        #expect(e.usedBefore == mb(41.1) && e.committedBefore == mb(65.7))
        #expect(e.usedAfter == mb(36.6) && e.committedAfter == mb(70.9))
        #expect(e.pauseMs == 6.04 && e.timeMs == 311)
        #expect(e.reason == "finalize incremental marking via task")
    }

    @Test func logShipperPrefixesCRLFAndWindowsIsolates() throws {
        let pm2 = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "0|app  | ")))
        #expect(pm2.id == IsolateID(pid: 4472, isolate: 0x3452_8000) && pm2.timeMs == 59 && pm2.usedBefore == mb(4.3))
        let stamped = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "2024-01-01T00:00:00: ")))
        #expect(stamped.timeMs == 1133 && stamped.kind == .markCompact && stamped.usedAfter == mb(8.2))
        let crlf = try GCTraceFixture.line("gc-lines/variants.log", containing: " 1180 ms: ")
        #expect(crlf.hasSuffix("\r"))
        let e = try #require(gcEvent(crlf))
        #expect(e.reason == "allocation failure" && e.usedAfter == mb(8.4))
        // journalctl's syslog form: the tag's `[pid]` is not V8 3.x's header.
        let journal = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "web-1 node[4472]: ")))
        #expect(journal.id == IsolateID(pid: 4472, isolate: 0x3452_8000) && journal.timeMs == 71 && journal.usedAfter == mb(3.6))
        let windows = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "[7824:000001C3A99505C0]")))
        #expect(windows.id == IsolateID(pid: 7824, isolate: 0x0000_01C3_A995_05C0))
    }

    // MARK: Older Node versions (real lines from issue threads)

    @Test func ioJSBracketFormatWithoutIsolate() throws {
        let e = try #require(gcEvent(try GCTraceFixture.line("gc-lines/historical.log", containing: "[50926]")))
        #expect(e.id == IsolateID(pid: 50926, isolate: 0))
        #expect(e.timeMs == 91 && e.kind == .scavenge)
        #expect(e.usedBefore == mb(2.0) && e.committedBefore == mb(37.5))
        #expect(e.usedAfter == mb(1.7) && e.committedAfter == mb(37.5))
        #expect(e.pauseMs == 0.7 && e.reason == "allocation failure")
    }

    @Test func v8v3ExternalTimeComesFirst() throws {
        let e = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "[20316]")))
        #expect(e.kind == .markCompact && e.pauseMs == 12)
        #expect(e.usedBefore == mb(12.3) && e.usedAfter == mb(7.8) && e.committedAfter == mb(45.6))
        #expect(e.reason == "allocation failure")
        let v4 = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "[29431:0x2e6d3c0]")))
        #expect(v4.pauseMs == 1.0 && v4.reason == "allocation failure")
    }

    @Test func windowsBracketFormat() throws {
        let e = try #require(gcEvent(try GCTraceFixture.line("gc-lines/historical.log", containing: "54060 ms")))
        #expect(e.id == IsolateID(pid: 7824, isolate: 0x0000_01C3_A995_05C0))
        #expect(e.kind == .markCompact && e.pauseMs == 105.5)
        #expect(e.usedBefore == mb(104.7) && e.usedAfter == mb(102.3))
        #expect(e.reason == "Isolate::RequestGarbageCollection")
    }

    @Test func node8To18ReasonWithoutSeparator() throws {
        let node12 = try #require(gcEvent(try GCTraceFixture.line("gc-lines/historical.log", containing: "1084810 ms")))
        #expect(node12.kind == .markCompact && node12.timeMs == 1_084_810)
        #expect(node12.usedBefore == mb(351.9) && node12.committedBefore == mb(356.0))
        #expect(node12.usedAfter == mb(83.6) && node12.committedAfter == mb(129.3))
        #expect(node12.pauseMs == 1048.0)
        #expect(node12.reason == "finalize incremental marking via task")
        let pressure = try #require(gcEvent(try GCTraceFixture.line("gc-lines/historical.log", containing: " 3107 ms")))
        #expect(pressure.reason == "external memory pressure" && pressure.pauseMs == 56.9)
        let indented = try #require(gcEvent(try GCTraceFixture.line("gc-lines/historical.log", containing: " 1882 ms")))
        #expect(indented.kind == .scavenge && indented.reason == "task" && indented.usedAfter == mb(34.3))
        let task = try #require(gcEvent(try GCTraceFixture.line("gc-lines/historical.log", containing: " 2062 ms")))
        #expect(task.reason == "task")
        let node8 = try #require(gcEvent(try GCTraceFixture.line("gc-lines/variants.log", containing: "[26232:0x2de0a90]")))
        #expect(node8.reason == "finalize incremental marking via stack guard" && node8.pauseMs == 4.6)
        let node16 = try #require(gcEvent(try GCTraceFixture.line("gc-lines/historical.log", containing: "191182 ms")))
        #expect(node16.reason == "allocation failure" && node16.usedBefore == mb(949.5))
    }

    @Test func oomBlockLineWithoutPrefixIsNotAttributed() throws {
        // Node 6/7 kept ring-buffer lines without `[pid:isolate]`: no isolate to
        // attribute them to, and they repeat traced GCs anyway.
        #expect(parseLine(try GCTraceFixture.line("gc-lines/historical.log", containing: "198588 ms")) == nil)
    }

    // MARK: --trace-gc-nvp

    @Test func nvpNode20() throws {
        let e = try #require(gcEvent(try GCTraceFixture.line("traces/node20/leak_global_list.nvp.log", containing: " 28 ms: ")))
        #expect(e.id == IsolateID(pid: 4295, isolate: 0x3d9e_f860))
        #expect(e.kind == .scavenge && e.timeMs == 28 && e.pauseMs == 0.4)
        #expect(e.usedBefore == 4_074_344 && e.usedAfter == 3_212_760)
        #expect(e.committedBefore == nil && e.variant == nil && e.reason == nil)
        let full = try #require(try GCTraceFixture.lines("traces/node20/leak_global_list.nvp.log").compactMap { gcEvent(String($0)) }.first { $0.kind == .markCompact })
        #expect(full.usedAfter > 0)
    }

    @Test func nvpNode24UsesObjectAndMemorySizes() throws {
        let e = try #require(gcEvent(try GCTraceFixture.line("traces/node24/leak_global_list.nvp.log", containing: " 33 ms: ")))
        #expect(e.id == IsolateID(pid: 4647, isolate: 0x1e6c_3000))
        #expect(e.pauseMs == 1.4)
        #expect(e.usedBefore == 4_738_704 && e.usedAfter == 4_012_184)
        #expect(e.committedBefore == 5_763_072 && e.committedAfter == 6_811_648)
    }

    @Test func nvpNode26IsJSON() throws {
        let path = "traces/node26/leak_global_list.nvp.log"
        let e = try #require(gcEvent(try GCTraceFixture.line(path, containing: " 39 ms: GC: {")))
        #expect(e.id == IsolateID(pid: 32234, isolate: 0x4551_b000))
        #expect(e.kind == .scavenge && e.timeMs == 39 && e.pauseMs == 0.758)
        #expect(e.usedBefore == 4_747_336 && e.usedAfter == 4_062_152)
        #expect(e.committedBefore == 5_640_192 && e.committedAfter == 5_902_336)
        #expect(e.reason == "allocation failure" && e.variant == nil)
        let full = try #require(try GCTraceFixture.lines(path).compactMap { gcEvent(String($0)) }.first { $0.kind == .markCompact })
        #expect(full.reason == "finalize incremental marking via task")
        // Trace, but no collection.
        #expect(parseLine(try GCTraceFixture.line(path, containing: "Memory pool: Removed pages")) == .traceOnly(e.id))
    }

    @Test func nvpJSONCutOffKeepsOnlyWholeFigures() {
        let line = #"[7:0x1000:0]       39 ms: GC: {"pause":4.158,"mutator":32.9,"gc":"mc","reduce_memory":true,"reason":"allocation failure","start_object_size":4678472,"end_object_size":4391352,"start_memory_size":5640192,"end_memory_size":6426624,"x":1}"#
        let whole = gcEvent(line)
        #expect(whole?.kind == .markCompact && whole?.variant == "reduce" && whole?.usedAfter == 4_391_352)
        // Cut inside end_object_size: no event rather than a smaller figure.
        let cut = String(line.prefix(upTo: line.range(of: "4391352")!.upperBound).dropLast(3))
        #expect(gcEvent(cut) == nil)
        // Cut after the sizes: the figures that were followed by `,` stand.
        let late = String(line.prefix(upTo: line.range(of: #""end_memory_size""#)!.lowerBound))
        #expect(gcEvent(late)?.usedAfter == 4_391_352)
        #expect(gcEvent(#"[7:0x1000:0]       39 ms: GC: {"pause":"#) == nil)
        #expect(gcEvent(#"[7:0x1000:0]       39 ms: GC: {garbage}"#) == nil)
    }

    @Test func incrementalMarkCompactOfNode26IsFull() throws {
        let line = try GCTraceFixture.line("traces/node26/leak_session_store.log", containing: " 1722 ms: ")
        let e = try #require(gcEvent(line))
        #expect(e.kind == .markCompact && e.variant == "incremental")
        #expect(e.usedBefore == Int64(8.2 * 1048576) && e.usedAfter == Int64(4.9 * 1048576))
        #expect(e.reason == "finalize incremental marking via task")
    }

    @Test func nvpMinorMarkSweep() throws {
        let lines = try GCTraceFixture.lines("gc-lines/node24-minor-ms.nvp.log").filter { !$0.isEmpty }
        let events = lines.compactMap { gcEvent(String($0)) }
        #expect(events.count == lines.count)
        #expect(events.filter { $0.kind == .minorMarkSweep }.count == lines.filter { $0.contains(" gc=mms ") }.count)
        #expect(events.contains { $0.kind == .markCompact })
    }

    // MARK: --trace-gc-verbose

    @Test func verboseSpaceLines() throws {
        let path = "traces/node20/leak_global_list.verbose.log"
        let old = try #require(parseLine(try GCTraceFixture.line(path, containing: "Old space,              used:   2476 KB")))
        let id = IsolateID(pid: 4296, isolate: 0xa8b_18c0)
        #expect(old == .spaceUsage(SpaceUsage(id: id, space: "Old space", usedBytes: 2476 * 1024,
                                              availableBytes: 7 * 1024, committedBytes: 2528 * 1024)))
        let allocator = try #require(parseLine(try GCTraceFixture.line(path, containing: "Memory allocator,       used:   5096 KB")))
        #expect(allocator == .spaceUsage(SpaceUsage(id: id, space: "Memory allocator", usedBytes: 5096 * 1024,
                                                    availableBytes: 4_238_360 * 1024, committedBytes: nil)))
        let all = try #require(parseLine(try GCTraceFixture.line(path, containing: "All spaces,             used:   3184 KB")))
        guard case .spaceUsage(let total) = all else { Issue.record("not a space line"); return }
        #expect(total.isTotal && total.committedBytes == 5096 * 1024)
        let backing = try GCTraceFixture.lines(path).first { $0.contains("Backing store memory:   1097 KB") }
        #expect(parseLine(String(try #require(backing))) == .externalMemory(ExternalMemory(id: id, kind: .backingStore, bytes: 1097 * 1024)))
    }

    @Test func verboseLinesOfNode22And24() throws {
        for version in ["node22", "node24", "node26"] {
            let lines = try GCTraceFixture.lines("traces/\(version)/leak_global_list.verbose.log")
            var spaces: Set<String> = []
            var externals = 0, gcs = 0, appLines = 0
            var parser = GCTraceParser()
            for line in lines where !line.isEmpty {
                switch parser.parse(line) {
                case .spaceUsage(let usage)?: spaces.insert(usage.space)
                case .externalMemory?: externals += 1
                case .gc?: gcs += 1
                case nil: appLines += 1
                default: break
                }
            }
            #expect(spaces.isSuperset(of: ["New space", "Old space", "Code space", "Large object space",
                                            "Trusted space", "All spaces", "Memory allocator"]))
            #expect(externals == lines.filter { $0.contains("External memory") || $0.contains("Backing store") }.count)
            #expect(gcs > 0)
            // The scenario app prints nothing itself: every line is V8's.
            #expect(appLines == 0)
        }
    }

    @Test func starredAvailableWhileSweeping() throws {
        let line = "[4296:0xa8b18c0] Code space,             used:     239 KB, available:      0 KB*, committed:    256 KB"
        guard case .spaceUsage(let usage)? = parseLine(line) else { Issue.record("not parsed"); return }
        #expect(usage.space == "Code space" && usage.availableBytes == 0 && usage.committedBytes == 256 * 1024)
    }

    /// V8 3.x printed its heap statistics after `[pid]` only.
    @Test func pidOnlyVerboseLinesParseButOtherPidOnlyLinesDoNot() {
        let line = "[20316] Old pointers,       used:   1024 KB, available:     32 KB, committed:   1536 KB"
        #expect(parseLine(line) == .spaceUsage(SpaceUsage(id: IsolateID(pid: 20316, isolate: 0), space: "Old pointers",
                                                           usedBytes: 1024 * 1024, availableBytes: 32 * 1024,
                                                           committedBytes: 1536 * 1024)))
        #expect(parseLine("[20316] Total time spent in GC  : 3 ms") == nil)
    }
}
