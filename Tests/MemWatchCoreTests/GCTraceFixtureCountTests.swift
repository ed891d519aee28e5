import Foundation
import Testing
@testable import MemWatchCore

/// Every GC line in the recorded traces parses: counts per kind equal what
/// `grep -c` finds in the same files.
@Suite struct GCTraceFixtureCountTests {
    static let recorded: [String] = ["node20", "node22", "node24", "node26"].flatMap { version in
        ["leak_global_list.log", "leak_global_list.nvp.log", "leak_global_list.verbose.log",
         "leak_session_store.log", "leak_timer_closures.log", "ok_request_churn.log",
         "ok_ring_buffer.log", "ok_startup_cache.log"].map { "traces/\(version)/\($0)" }
    } + ["gc-lines/node20-minor-mc.log", "gc-lines/node22-minor-ms.log", "gc-lines/node22-minor-ms.nvp.log",
         "gc-lines/node24-minor-ms.nvp.log", "gc-lines/node24-workers.log", "gc-lines/node20-oom.stdout.log",
         "gc-lines/node22-oom.stdout.log", "gc-lines/node24-oom.stdout.log"]

    @Test(arguments: recorded)
    func countsMatchGrep(_ path: String) throws {
        let lines = try GCTraceFixture.lines(path)
        var parser = GCTraceParser()
        var counts: [GCKind: Int] = [:]
        for line in lines {
            switch parser.parse(line) {
            case .gc(let e)?: counts[e.kind, default: 0] += 1
            default: break
            }
        }
        let expectedScavenges = lines.filter { $0.contains(" ms: Scavenge ") || $0.contains(" gc=s ") || $0.contains(#""gc":"s","#) }.count
        let expectedFull = lines.filter {
            $0.contains(" ms: Mark-Compact ") || $0.contains(" ms: Incremental Mark-Compact ") || $0.contains(" gc=mc ")
                || $0.contains(#""gc":"mc","#)
        }.count
        let expectedMinor = lines.filter { $0.contains(" ms: Minor Mark-") || $0.contains(" gc=mmc ") || $0.contains(" gc=mms ") || $0.contains(#""gc":"mms","#) }.count
        #expect(counts[.scavenge, default: 0] == expectedScavenges)
        #expect(counts[.markCompact, default: 0] == expectedFull)
        #expect(counts[.minorMarkSweep, default: 0] == expectedMinor)
        #expect(expectedScavenges + expectedFull + expectedMinor > 0)
    }
}
