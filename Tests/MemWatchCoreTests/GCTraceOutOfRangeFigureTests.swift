import Testing
@testable import MemWatchCore

/// Figures beyond any heap (2^50 bytes and up, or more digits than an Int64
/// holds) make their line no record of sizes: they once trapped the debug
/// build in `VerboseTraceLine` and `LeakWatch`, and wrapped in release into a
/// small heap limit and a false heap-limit alert.
@Suite struct GCTraceOutOfRangeFigureTests {
    static let hugeKB = ["9007199254740992", "9223372036854775807", "9223372036854775808", "99999999999999999999",
                         "1099511627777"]

    @Test(arguments: hugeKB)
    func verboseAllocatorLineWithAHugeFigureTeachesNoHeapLimit(_ kb: String) {
        for line in ["[4537:0x249d1000] Memory allocator,       used:   \(kb) KB, available: 4237208 KB",
                     "[4537:0x249d1000] Memory allocator,       used:   6248 KB, available: \(kb) KB"] {
            let record = parseLine(line)
            #expect(record == .traceOnly(IsolateID(pid: 4537, isolate: 0x249d1000)), "\(line)")
            var watch = LeakWatch()
            #expect(watch.observe(record!).isEmpty)
            #expect(watch.watch(for: IsolateID(pid: 4537, isolate: 0x249d1000))?.tracedHeapLimit == nil)
        }
    }

    @Test(arguments: hugeKB)
    func verboseSpaceAndExternalLinesWithAHugeFigureAreNoFigures(_ kb: String) {
        for line in ["[4537:0x249d1000] Old space,              used:   \(kb) KB, available:    145 KB, committed:   2612 KB",
                     "[4537:0x249d1000] Old space,              used:   2418 KB, available:    145 KB, committed:   \(kb) KB",
                     "[4537:0x249d1000] External memory reported:     \(kb) KB",
                     "[4537:0x249d1000] External memory reported:     -\(kb) KB",
                     "[4537:0x249d1000] Backing store memory:   \(kb) KB"] {
            #expect(parseLine(line) == .traceOnly(IsolateID(pid: 4537, isolate: 0x249d1000)), "\(line)")
        }
    }

    /// What the `gc-line` fuzz target found on the code before the fix, in
    /// ~1 million inputs: an allocator line whose available figure overflows
    /// `kb * 1024`.
    @Test func fuzzerFoundAllocatorLine() {
        let line = "[4296:0xa8b18c0] Memory allocator,       used:   5096 KB, available: 42383655555555550 KB"
        #expect(parseLine(line) == .traceOnly(IsolateID(pid: 4296, isolate: 0xa8b18c0)))
    }

    @Test func aFigureOfExactlyTheBoundIsRead() {
        let kb = TraceByteFigure.max / 1024
        let line = "[4537:0x249d1000] Memory allocator,       used:   \(kb) KB, available: 0 KB"
        guard case .spaceUsage(let usage)? = parseLine(line) else { Issue.record("no record"); return }
        #expect(usage.usedBytes == TraceByteFigure.max)
    }

    @Test(arguments: ["1073741825", "2000000000000.0", "8796093022208", "999999999999.9"])
    func gcLineWithAHugeMBFigureIsNoEvent(_ figure: String) {
        let lines = [
            "[1:0xab12cd]      311 ms: Mark-Compact \(figure) (65.7) -> 36.6 (70.9) MB, 6.04 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ",
            "[1:0xab12cd]      311 ms: Mark-Compact 41.1 (65.7) -> \(figure) (70.9) MB, 6.04 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ",
        ]
        for line in lines { #expect(parseLine(line) == nil, "\(line)") }
        // A huge committed figure is dropped, the event kept.
        let committed = "[1:0xab12cd]      311 ms: Mark-Compact 41.1 (\(figure)) -> 36.6 (70.9) MB, 6.04 / 0.00 ms  allocation failure; "
        #expect(gcEvent(committed)?.committedBefore == nil)
        #expect(gcEvent(committed)?.usedBefore == mb(41.1))
    }

    @Test(arguments: ["9007199254740992", "9223372036854775807", "9223372036854775808", "99999999999999999999"])
    func nvpLineWithAHugeSizeIsNoEvent(_ bytes: String) {
        let lines = [
            "[4295:0x3d9ef860]       28 ms: pause=0.4 mutator=24.3 gc=mc reduce_memory=0 total_size_before=\(bytes) total_size_after=3212760 holes_size_before=0 ",
            "[4295:0x3d9ef860]       28 ms: pause=0.4 mutator=24.3 gc=mc reduce_memory=0 total_size_before=4074344 total_size_after=\(bytes) holes_size_before=0 ",
            #"[4295:0x3d9ef860]       28 ms: GC: {"pause":0.4,"gc":"mc","start_object_size":\#(bytes),"end_object_size":4622072,"start_memory_size":1,"end_memory_size":2}"#,
            #"[4295:0x3d9ef860]       28 ms: GC: {"pause":0.4,"gc":"mc","start_object_size":4882472,"end_object_size":\#(bytes),"start_memory_size":1,"end_memory_size":2}"#,
        ]
        for line in lines { #expect(parseLine(line)?.newEvent == nil, "\(line)") }
    }

    /// What the issue saw: a live verbose trace whose first allocator line is
    /// poisoned. No trap; the limit comes from the genuine lines (4 GB), so no
    /// heap-limit alert.
    @Test func aPoisonedVerboseTraceRaisesNoHeapLimitAlert() throws {
        var lines = try GCTraceFixture.lines("traces/node22/leak_global_list.verbose.log")
        let first = try #require(lines.firstIndex { $0.contains("Memory allocator,") })
        lines[first] = "[4537:0x249d1000] Memory allocator,       used:   9007199254740992 KB, available: 4237208 KB"
        var parser = GCTraceParser()
        var watch = LeakWatch()
        var alerts: [WatchAlert] = []
        for line in lines { if let record = parser.parse(line) { alerts += watch.observe(record) } }
        #expect(!alerts.contains { if case .heapLimit = $0 { true } else { false } })
        let isolate = try #require(watch.isolates.first)
        #expect(isolate.heapLimitBreach == nil)
        #expect(try #require(isolate.tracedHeapLimit) > 4 << 30)
    }
}
