import Foundation
import Testing
@testable import MemWatchCore

@Suite("TrendDetector on synthetic heap shapes")
struct DetectTrendTests {
    // MARK: leaks

    @Test func steadyLeakIsFoundWithAnActionableReason() throws {
        let heap = SyntheticHeap(live: { 20 + 2 * $0 })  // 2 MB/s
        let finding = try #require(heap.firstLeak(TrendDetector(), seconds: 60))
        #expect(finding.detector == "trend")
        #expect(finding.id == heap.id)
        // Not before warm-up (10 s) plus the shortest span (10 s).
        #expect(finding.atMs >= 20_000)
        #expect(finding.atMs <= 30_000)
        let rate = try #require(finding.growthBytesPerSecond)
        #expect(abs(rate - Double(mb(2))) < Double(mb(0.3)))
        #expect(finding.reason.hasPrefix("heap floor grew "))
        #expect(finding.reason.contains("full GC"))
        #expect(finding.reason.contains("MB/min"))
        #expect(finding.reason.contains("not slowing"))
        #expect(finding.heapLimit == nil && finding.secondsToLimit == nil)
    }

    @Test func leakDecidesSoonerThanConsecutiveGrowth() throws {
        let heap = SyntheticHeap(live: { 20 + 1 * $0 })
        let trend = try #require(heap.firstLeak(TrendDetector(), seconds: 120))
        let memwatch = try #require(heap.firstLeak(ConsecutiveGrowthDetector(), seconds: 120))
        #expect(trend.atMs < memwatch.atMs)
    }

    @Test func slowLeakWithRareFullGCsIsFound() throws {
        // 300 KB/s with a full GC every 30 s.
        let heap = SyntheticHeap(live: { 30 + 0.3 * $0 }, promotedMBPerSecond: 0.2, fullGCEveryMs: 30_000, fullGCGarbageMB: 1000)
        let finding = try #require(heap.firstLeak(TrendDetector(), seconds: 240))
        #expect(finding.reason.contains("heap floor grew"))
    }

    @Test func leakIsFoundWhenV8StopsRunningFullGCs() throws {
        // Full GCs every 4 s until 14 s, then none: they showed little garbage.
        let heap = SyntheticHeap(live: { 10 + 3 * $0 }, promotedMBPerSecond: 0.1, fullGCEveryMs: 4000,
                                 fullGCGarbageMB: 1000, fullGCsStopAtMs: 14_000)
        let finding = try #require(heap.firstLeak(TrendDetector(), seconds: 60))
        #expect(finding.reason.contains("with no full GC to confirm it"))
    }

    @Test func garbageHeavyGrowthWithoutFullGCsIsNotALeak() {
        // The same silence after 14 s, but the full GCs before freed as much
        // as piles up now: the rising floor may be all garbage.
        let heap = SyntheticHeap(live: { _ in 40 }, promotedMBPerSecond: 3, fullGCEveryMs: 4000,
                                 fullGCGarbageMB: 1000, fullGCsStopAtMs: 14_000)
        #expect(heap.firstLeak(TrendDetector(), seconds: 60) == nil)
    }

    @Test func cacheFillingWhileV8RunsNoFullGCIsNotALeak() {
        let heap = SyntheticHeap(live: { 10 + 4 * min($0, 15) }, promotedMBPerSecond: 0.1, fullGCEveryMs: 4000,
                                 fullGCGarbageMB: 1000, fullGCsStopAtMs: 14_000)
        #expect(heap.firstLeak(TrendDetector(), seconds: 120) == nil)
    }

    @Test func leakThatStartsLateIsFound() throws {
        let heap = SyntheticHeap(live: { 30 + max(0, $0 - 60) * 1.5 })
        let finding = try #require(heap.firstLeak(TrendDetector(), seconds: 180))
        #expect(finding.atMs > 60_000)
        #expect(finding.atMs < 100_000)
    }

    @Test func leakInStepsIsFound() throws {
        // 6 MB kept at once every 5 s (a leak per scheduled job, not per request):
        // the floor is flat in four of five 1 s windows.
        // V8 ran a full GC every ~20 s on such an app.
        let heap = SyntheticHeap(
            live: { 20 + 6 * ($0 / 5).rounded(.down) }, promotedMBPerSecond: 0.2, scavengeMs: 250,
            fullGCEveryMs: 20_000, fullGCGarbageMB: 1000)
        let finding = try #require(heap.firstLeak(TrendDetector(), seconds: 120))
        #expect(finding.atMs < 60_000)
        let rate = try #require(finding.growthBytesPerSecond)
        #expect(abs(rate - Double(mb(1.2))) < Double(mb(0.4)))
    }

    @Test func leakOfAMegabyteAMinuteIsSeenOverAnHour() throws {
        // 100 MB heap, a scavenge every 2 s, a full GC every 2 min.
        let heap = SyntheticHeap(
            live: { 100 + $0 / 60 }, promotedMBPerSecond: 0.05, scavengeMs: 2000,
            fullGCEveryMs: 120_000, fullGCGarbageMB: 1000)
        let finding = try #require(heap.firstLeak(TrendDetector(), seconds: 3600))
        // 10% of the heap must be confirmed first: ten minutes at least.
        #expect(finding.atMs >= 600_000)
        #expect(finding.atMs <= 1_800_000)
        let rate = try #require(finding.growthBytesPerSecond)
        #expect(abs(rate * 60 - Double(mb(1))) < Double(mb(0.2)))
        #expect(finding.reason.contains("8 s windows") || finding.reason.contains("64 s windows"))
    }

    @Test func processWatchedFromMidLifeIsJudgedAfterItsWarmUpGCs() throws {
        // Attached an hour into the process's life; its stamps say so.
        var detector = TrendDetector()
        let events = SyntheticHeap(live: { 50 + 2 * $0 }).events(seconds: 60)
        var found: LeakFinding?
        for var event in events {
            event.timeMs += 3_600_000
            if case .leak(let finding) = detector.observe(event) { found = finding; break }
        }
        let finding = try #require(found)
        // No 10 s of age to wait for, only 10 GCs and a 10 s span.
        #expect(finding.atMs - 3_600_000 <= 20_000)
    }

    @Test func projectionToTheHeapLimitIsExplained() throws {
        let heap = SyntheticHeap(live: { 20 + 2 * $0 })
        let limit = mb(2048)
        let finding = try #require(heap.firstLeak(TrendDetector(heapLimit: limit), seconds: 60))
        let rate = try #require(finding.growthBytesPerSecond)
        let seconds = try #require(finding.secondsToLimit)
        #expect(finding.heapLimit == limit)
        // The projection starts from the retained floor, which is at most the heap now.
        #expect(seconds >= Double(limit - finding.heapUsed) / rate - 1)
        #expect(seconds <= Double(limit - mb(20)) / rate)
        #expect(finding.reason.contains("at this rate the 2048 MB heap limit is reached in ~"))
        #expect(finding.reason.hasSuffix("min"))
    }

    // MARK: benign shapes

    @Test func warmUpThenFlatIsNotALeak() {
        let heap = SyntheticHeap(live: { 10 + 80 * min($0, 8) / 8 })
        #expect(heap.firstLeak(TrendDetector(), seconds: 120) == nil)
    }

    @Test func cacheThatFillsThenPlateausIsNotALeak() {
        let heap = SyntheticHeap(live: { 10 + 4 * min($0, 15) })
        #expect(heap.firstLeak(TrendDetector(), seconds: 120) == nil)
    }

    @Test func lruSawtoothIsNotALeak() {
        // Bounded live set, lots of garbage promoted between full GCs.
        let heap = SyntheticHeap(live: { 40 + 5 * sin($0) }, promotedMBPerSecond: 8, fullGCEveryMs: 9000, fullGCGarbageMB: 70)
        #expect(heap.firstLeak(TrendDetector(), seconds: 180) == nil)
    }

    @Test func batchSlowerToBuildThanTheMinimumSpanIsNotALeak() {
        // Every 30 s a batch gathers 60 MB over 16 s, then drops it: after the
        // first drop, the next build-up is no longer taken for a leak.
        let heap = SyntheticHeap(live: { t in
            let phase = t.truncatingRemainder(dividingBy: 30)
            return 20 + (phase < 16 ? 60 * phase / 16 : 0)
        })
        #expect(heap.firstLeak(TrendDetector(), seconds: 240) == nil)
    }

    @Test func leakUnderABatchCycleIsFoundOnceItOutlastsTheCycle() throws {
        // The same batch over a leak of 1 MB/s.
        let heap = SyntheticHeap(live: { t in
            let phase = t.truncatingRemainder(dividingBy: 30)
            return 20 + t + (phase < 16 ? 60 * phase / 16 : 0)
        })
        let finding = try #require(heap.firstLeak(TrendDetector(), seconds: 240))
        #expect(finding.atMs > 60_000, "not before the cycle was outlasted: \(finding.reason)")
        let rate = try #require(finding.growthBytesPerSecond)
        #expect(abs(rate - Double(mb(1))) < Double(mb(0.3)))
    }

    @Test func oneCacheResetLateInLifeDoesNotHoldBackALaterLeak() throws {
        // A cache filled in 10 s, reset after 10 min; a 1 MB/s leak from 11 min on.
        let heap = SyntheticHeap(live: { t in
            t < 600 ? 20 + 30 * min(t, 10) / 10 : 20 + max(0, t - 660)
        })
        let finding = try #require(heap.firstLeak(TrendDetector(), seconds: 1800))
        // The reset counts as a 5 min cycle at most: a 10 min span, not 20.
        #expect(finding.atMs > 660_000)
        #expect(finding.atMs < 1_300_000, "\(finding.reason)")
    }

    @Test func batchJobsBuildingAndDroppingWorkingSetsAreNotALeak() {
        // Every 12 s a batch builds 90 MB over 4 s, then drops it.
        let heap = SyntheticHeap(live: { t in
            let phase = t.truncatingRemainder(dividingBy: 12)
            return 25 + (phase < 4 ? 90 * phase / 4 : 0)
        })
        #expect(heap.firstLeak(TrendDetector(), seconds: 180) == nil)
    }

    @Test func logarithmicGrowthIsNotALeak() {
        let heap = SyntheticHeap(live: { 10 + 15 * log(1 + $0 / 2) })
        #expect(heap.firstLeak(TrendDetector(), seconds: 180) == nil)
    }

    @Test func convergingGrowthIsNotALeak() {
        let heap = SyntheticHeap(live: { 20 + 60 * (1 - exp(-$0 / 12)) })
        #expect(heap.firstLeak(TrendDetector(), seconds: 180) == nil)
    }

    @Test func periodicSpikesAreNotALeak() {
        let heap = SyntheticHeap(live: { 30 + ($0.truncatingRemainder(dividingBy: 7) < 1 ? 50 : 0) })
        #expect(heap.firstLeak(TrendDetector(), seconds: 180) == nil)
    }

    @Test func growthBelowTheAbsoluteMinimumIsNotALeak() {
        // 3 MB over a minute on a 20 MB heap: below the 4 MB floor.
        let heap = SyntheticHeap(live: { 20 + 0.05 * $0 }, promotedMBPerSecond: 0)
        #expect(heap.firstLeak(TrendDetector(), seconds: 60) == nil)
    }

    @Test func risingScavengeFloorWithoutAFullGCIsNotALeakYet() {
        // Promoted garbage only, and no full GC to tell it from a leak.
        let heap = SyntheticHeap(live: { _ in 30 }, promotedMBPerSecond: 2, fullGCEveryMs: 1e9, fullGCGarbageMB: 1e9)
        #expect(heap.firstLeak(TrendDetector(), seconds: 60) == nil)
    }

    @Test func corruptStampsAreIgnored() {
        var detector = TrendDetector()
        let id = IsolateID(pid: 1, isolate: 1)
        for t in [Double.nan, .infinity, -.infinity, 1e300, -1e300] {
            #expect(detector.observe(GCEvent(id: id, timeMs: t, kind: .markCompact, usedBefore: 1, usedAfter: 1)) == .noLeak)
        }
    }
}
