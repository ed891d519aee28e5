import Testing
@testable import MemWatchCore

private let mb: Int64 = 1 << 20

private func mbBytes(_ tenths: Int64) -> Int64 { (tenths * mb + 5) / 10 }

private func event(_ line: String) -> GCEvent? {
    var parser = GCTraceParser()
    return parser.parse(line)?.newEvent
}

@Suite struct GCTraceParserModernTests {
    @Test func node20MarkCompact() throws {
        let e = try #require(event("[2216:0x1c054840]      311 ms: Mark-Compact 41.1 (65.7) -> 36.6 (70.9) MB, 6.04 / 0.00 ms  (+ 26.8 ms in 57 steps since start of marking, biggest step 1.0 ms, walltime since start of marking 40 ms) (average mu = 1.000, current mu = 1.000) finalize incremental marking via task; GC in old space requested"))
        #expect(e.id == IsolateID(pid: 2216, isolate: 0x1c05_4840))
        #expect(e.timeMs == 311)
        #expect(e.kind == .markCompact)
        #expect(e.variant == nil)
        #expect(e.usedBefore == mbBytes(411))
        #expect(e.committedBefore == mbBytes(657))
        #expect(e.usedAfter == mbBytes(366))
        #expect(e.committedAfter == mbBytes(709))
        #expect(e.pauseMs == 6.04)
        #expect(e.reason == "finalize incremental marking via task")
    }

    @Test func node22PooledScavenge() throws {
        let e = try #require(event("[4472:0x34528000]       59 ms: Scavenge 4.3 (5.1) -> 3.6 (6.1) MB, pooled: 0 MB, 2.36 / 0.00 ms  (average mu = 1.000, current mu = 1.000) task; "))
        #expect(e.kind == .scavenge)
        #expect(e.timeMs == 59)
        #expect(e.usedBefore == mbBytes(43) && e.usedAfter == mbBytes(36))
        #expect(e.committedBefore == mbBytes(51) && e.committedAfter == mbBytes(61))
        #expect(e.pauseMs == 2.36)
        #expect(e.reason == "task")
    }
}
