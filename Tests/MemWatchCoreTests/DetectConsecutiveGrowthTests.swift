import Testing
@testable import MemWatchCore

@Suite("ConsecutiveGrowthDetector")
struct DetectConsecutiveGrowthTests {
    let id = IsolateID(pid: 7, isolate: 0x10)

    func full(_ seconds: Double, _ usedMB: Double) -> GCEvent {
        GCEvent(id: id, timeMs: seconds * 1000, kind: .markCompact, usedBefore: mb(usedMB + 5), usedAfter: mb(usedMB))
    }

    @Test func fiveGrowthsInARowAreALeak() throws {
        var detector = ConsecutiveGrowthDetector()
        let sizes = [10.0, 12, 14, 16, 18]
        for (i, size) in sizes.enumerated() {
            #expect(detector.observe(full(Double(i) * 10, size)) == .noLeak)
        }
        // A scavenge in between does not count either way.
        #expect(detector.observe(GCEvent(id: id, timeMs: 45_000, kind: .scavenge, usedBefore: mb(1), usedAfter: mb(1))) == .noLeak)
        guard case .leak(let finding) = detector.observe(full(50, 20)) else {
            Issue.record("no leak after five growths")
            return
        }
        #expect(finding.detector == "consecutive-growth")
        #expect(finding.atMs == 50_000)
        #expect(finding.heapUsed == mb(20))
        // 10 MB in 50 s = 12 MB/min.
        #expect(finding.reason == "heap after full GC grew 5 times in a row, 10.0 MB → 20.0 MB in 50 s (12.0 MB/min)")
        #expect(finding.growthBytesPerSecond == Double(mb(10)) / 50)
    }

    @Test func aDropResetsTheCount() {
        var detector = ConsecutiveGrowthDetector()
        for (i, size) in [10.0, 12, 14, 16, 15, 17, 19, 21].enumerated() {
            #expect(detector.observe(full(Double(i), size)) == .noLeak)
        }
    }

    @Test func anEqualHeapResetsTheCount() {
        var detector = ConsecutiveGrowthDetector(requiredGrowths: 2)
        #expect(detector.observe(full(0, 10)) == .noLeak)
        #expect(detector.observe(full(1, 11)) == .noLeak)
        #expect(detector.observe(full(2, 11)) == .noLeak)
        #expect(detector.observe(full(3, 12)) == .noLeak)
        #expect(detector.observe(full(4, 13)) != .noLeak)
    }

    @Test func projectionUsesTheMeasuredRate() throws {
        var detector = ConsecutiveGrowthDetector(requiredGrowths: 2, heapLimit: mb(100))
        _ = detector.observe(full(0, 10))
        _ = detector.observe(full(30, 25))
        guard case .leak(let finding) = detector.observe(full(60, 40)) else {
            Issue.record("no leak")
            return
        }
        // 30 MB per minute from 40 MB to 100 MB: 2 minutes.
        #expect(finding.secondsToLimit == 120)
        #expect(finding.heapLimit == mb(100))
        #expect(finding.reason.hasSuffix("; at this rate the 100 MB heap limit is reached in ~2 min"))
    }
}
