import Foundation
import Testing
@testable import MemWatchCore

/// App output, lookalikes, cut-off lines and garbage: never a crash, never a wrong event.
@Suite struct GCTraceRobustnessTests {
    @Test(arguments: [
        "",
        "server listening on http://127.0.0.1:9999",
        "Scavenge 3.9 (4.0) -> 3.1 (5.0) MB, 5.53 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ",
        "[INFO] 2024-01-01 request done in 12 ms: ok",
        "[10:45] Scavenge 1.0 (2.0) -> 1.0 (2.0) MB, 1.0 / 0.0 ms allocation failure; ",
        "[1] worker started",
        "{\"level\":30,\"msg\":\"[1,2,3]\"}",
        "<--- JS stacktrace --->",
        "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
    ])
    func appLinesAreNotTrace(_ line: String) {
        #expect(parseLine(line) == nil)
    }

    /// V8 trace lines that start like a GC line but report none.
    @Test(arguments: [
        "[4296:0xa8b18c0]       45 ms: Scavenge stack scanning: survived_from_stack=12 (114 KB), pinned=3 (1 KB)",
        "[4296:0xa8b18c0]     9123 ms: Memory reducer: waiting for 8000 ms",
        "[4296:0xa8b18c0]     9123 ms: Memory reducer: high alloc, foreground",
        "[4296:0xa8b18c0]      812 ms: Fast promotion mode: false survival rate: 18%",
        "[4296:0xa8b18c0]     1282 ms: Heap growing factor 1.1 based on mu=0.970, speed_ratio=3100 (gc=1080650, mutator=349)",
        "[4296:0xa8b18c0]     1282 ms: Grow: old size: 8123 KB, new limit: 17000 KB (1.1)",
        "[4296:0xa8b18c0]     1282 ms: [HeapController] Limit: old size: 8123 KB, new limit: 17000 KB (1.1)",
        "[4296:0xa8b18c0] Shrinking page 0x100199a80000: end 0x100199ac0000 -> 0x100199a8d000",
        "[4296:0xa8b18c0] Total time spent in GC  : 0.7 ms",
        "[4537:0x249d1000] Pool buffering 0 chunks of committed:      0 KB",
        "[4296:0xa8b18c0] (*) Sweeping is still in progress, making available sizes inaccurate.",
        "[4296:0xa8b18c0]     1282 ms: Mark-Compactor tuning: done",
    ])
    func lookalikesAreTraceButNoCollection(_ line: String) {
        let record = parseLine(line)
        #expect(record == .traceOnly(IsolateID(pid: Int32(line.dropFirst().prefix { $0 != ":" })!, isolate: record?.isolate.isolate ?? 0)))
        #expect(record?.newEvent == nil)
    }

    /// Every real line of every format, cut at every byte: nil, or the record of
    /// the whole line (a cut may lose the reason or committed sizes, never change
    /// a figure).
    @Test func truncationNeverYieldsAWrongEvent() throws {
        let samples: [String] = try [
            "traces/node20/leak_global_list.log", "traces/node22/leak_global_list.log",
            "traces/node24/leak_global_list.log", "traces/node20/leak_global_list.nvp.log",
            "traces/node24/leak_global_list.nvp.log", "gc-lines/node22-minor-ms.nvp.log",
            "gc-lines/historical.log", "gc-lines/variants.log", "gc-lines/node24-oom.stdout.log",
            "traces/node26/leak_global_list.nvp.log", "traces/node26/leak_session_store.log",
        ].flatMap { path in
            let lines = try GCTraceFixture.lines(path).filter { !$0.isEmpty }
            let full = lines.first { $0.contains("Mark-") || $0.contains("gc=mc") || $0.contains(#""gc":"mc""#) }
            return [full ?? lines[0], lines[0]].map(String.init)
        } + GCTraceFixture.lines("traces/node22/leak_global_list.verbose.log").prefix(24).map(String.init)
          + GCTraceFixture.lines("gc-lines/historical.log").filter { !$0.isEmpty }.map(String.init)
          + GCTraceFixture.lines("gc-lines/variants.log").filter { !$0.isEmpty }.map(String.init)

        var checkedCuts = 0
        for line in samples {
            let bytes = Array(line.utf8)
            let whole = bytes.withUnsafeBytes { buffer -> GCTraceRecord? in
                var parser = GCTraceParser()
                return parser.parse(buffer)
            }
            for length in 0..<bytes.count {
                let cut = bytes[..<length].withUnsafeBytes { buffer -> GCTraceRecord? in
                    var parser = GCTraceParser()
                    return parser.parse(buffer)
                }
                checkedCuts += 1
                guard let cut else { continue }
                #expect(Self.isSameOrLess(cut, than: whole), "cut at \(length): \(line)")
            }
        }
        #expect(checkedCuts > 10_000)
    }

    /// A cut record must equal the whole one, except optional fields it may lack.
    private static func isSameOrLess(_ cut: GCTraceRecord, than whole: GCTraceRecord?) -> Bool {
        guard let whole else { return cut == .traceOnly(cut.isolate) }
        switch (cut, whole) {
        case (.gc(var a), .gc(let b)):
            if a.reason == nil { a.reason = b.reason }
            if a.committedBefore == nil { a.committedBefore = b.committedBefore }
            if a.committedAfter == nil { a.committedAfter = b.committedAfter }
            return a == b
        case (.traceOnly(let id), _):
            // A cut verbose line is still trace output; a cut GC line is nil.
            return id == whole.isolate && whole.newEvent == nil
        default:
            return cut == whole
        }
    }

    @Test func aNumberCutShortIsNeverASmallerNumber() {
        let full = "[2216:0x1c054840]      311 ms: Mark-Compact 41.1 (65.7) -> 36.6 (70.9) MB, 6.04 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; "
        for marker in ["41.", "(65", "36.6 (7", "6.0", "6.04 / 0.0"] {
            let range = full.range(of: marker)!
            #expect(parseLine(String(full[..<range.upperBound])) == nil, "cut after \(marker)")
        }
        let nvp = "[4295:0x3d9ef860]       28 ms: pause=0.4 mutator=24.3 gc=s reduce_memory=0 total_size_before=4074344 total_size_after=32"
        #expect(parseLine(nvp) == nil)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 0x6D65_6D77)
        var parser = GCTraceParser()
        var records = 0
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 300)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if bytes.withUnsafeBytes({ parser.parse($0) }) != nil { records += 1 }
        }
        #expect(records == 0)
    }

    /// Real lines with random bytes replaced: any event still has sane figures.
    @Test func mutatedLinesNeverCrashOrGoNegative() throws {
        let lines = try ["traces/node22/leak_global_list.log", "traces/node24/leak_global_list.nvp.log",
                         "traces/node20/leak_global_list.verbose.log", "gc-lines/historical.log"]
            .flatMap { try GCTraceFixture.lines($0).prefix(40) }
        var generator = SplitMix64(seed: 42)
        var parser = GCTraceParser()
        let alphabet = Array("0123456789.,:; ()[]x-=>\r\n\u{0}\u{FF}".utf8)
        for line in lines {
            for _ in 0..<50 {
                var bytes = Array(line.utf8)
                guard !bytes.isEmpty else { continue }
                for _ in 0..<Int(generator.next() % 4 + 1) {
                    bytes[Int(generator.next() % UInt64(bytes.count))] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                }
                if case .gc(let e)? = bytes.withUnsafeBytes({ parser.parse($0) }) {
                    #expect(e.usedBefore >= 0 && e.usedAfter >= 0 && e.pauseMs >= 0 && e.timeMs >= 0)
                }
            }
        }
    }

    @Test func hugeFiguresAreRejectedNotWrapped() {
        let line = "[1:0xab12cd] 5 ms: Scavenge 999999999999999 (1.0) -> 1.0 (1.0) MB, 1.00 / 0.00 ms  (average mu = 1.000, current mu = 1.000) task; "
        #expect(parseLine(line) == nil)
        let tooLong = "[1:0xab12cd] 5 ms: Scavenge 99999999999999999999.5 (1.0) -> 1.0 (1.0) MB, 1.00 / 0.00 ms  task; "
        #expect(parseLine(tooLong) == nil)
    }
}
