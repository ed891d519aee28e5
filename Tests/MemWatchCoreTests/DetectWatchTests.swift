import Testing
@testable import MemWatchCore

@Suite("LeakWatch, HeapLimitRule, HeapChart, formats")
struct DetectWatchTests {
    func event(_ id: IsolateID, _ ms: Double, _ kind: GCKind, _ usedMB: Double) -> GCEvent {
        GCEvent(id: id, timeMs: ms, kind: kind, usedBefore: mb(usedMB + 3), usedAfter: mb(usedMB))
    }

    @Test func isolatesAreWatchedApartAndTheFirstLeakIsLatched() {
        let main = IsolateID(pid: 10, isolate: 0x1)
        let worker = IsolateID(pid: 10, isolate: 0x2)
        var watch = LeakWatch(detector: .consecutiveGrowth)
        var alerts: [WatchAlert] = []
        for i in 0..<10 {
            alerts += watch.observe(event(main, Double(i) * 1000, .markCompact, 50))
            alerts += watch.observe(event(worker, Double(i) * 1000, .markCompact, 10 + Double(i)))
            alerts += watch.observe(event(worker, Double(i) * 1000 + 500, .scavenge, 30))
        }
        #expect(alerts.count == 1)
        guard case .leak(let finding) = alerts.first else {
            Issue.record("expected a leak alert")
            return
        }
        #expect(finding.id == worker)
        #expect(finding.atMs == 5000)
        #expect(watch.leaks == [finding])
        let isolates = watch.isolates
        #expect(isolates.map(\.id) == [main, worker])
        #expect(isolates[0].leak == nil)
        #expect(isolates[1].fullGCs == 10 && isolates[1].scavenges == 10 && isolates[1].gcs == 20)
        #expect(isolates[1].peakUsed == mb(30))
    }

    @Test func heapLimitRuleFiresOnceOnAFullGCPastTheShare() {
        let id = IsolateID(pid: 3, isolate: 0x3)
        var watch = LeakWatch(detector: .trend, heapLimit: mb(100))
        #expect(watch.observe(event(id, 1, .scavenge, 95)).isEmpty)  // scavenge: old garbage included
        #expect(watch.observe(event(id, 2, .markCompact, 84)).isEmpty)
        let alerts = watch.observe(event(id, 3, .markCompact, 86))
        #expect(alerts.count == 1)
        guard case .heapLimit(let breach) = alerts.first else {
            Issue.record("expected a heap-limit alert")
            return
        }
        #expect(breach.atMs == 3 && breach.heapUsed == mb(86) && breach.heapLimit == mb(100))
        #expect(breach.reason == "heap after full GC is 86.0 MB, 86% of the 100 MB heap limit (threshold 85%)")
        #expect(watch.observe(event(id, 4, .markCompact, 90)).isEmpty)
    }

    @Test func heapLimitRuleFiresEarlyWhenTheLimitIsSecondsAway() {
        let id = IsolateID(pid: 4, isolate: 0x4)
        // 10 MB/s into a 100 MB limit: at 60 MB the limit is 4 s away.
        var fast = HeapLimitRule(heapLimit: mb(100))
        #expect(fast.evaluate(event(id, 0, .markCompact, 40)) == nil)  // below half the limit
        let breach = fast.evaluate(event(id, 2000, .markCompact, 60))
        #expect(breach?.heapUsed == mb(60))
        #expect(breach?.reason.contains("growing 600.0 MB/min") == true, "\(breach?.reason ?? "")")
        #expect(breach?.reason.hasSuffix("limit is reached in ~4 s") == true, "\(breach?.reason ?? "")")

        // The same heap growing 1 MB/s is 40 s away: later, by the share.
        var slow = HeapLimitRule(heapLimit: mb(100))
        #expect(slow.evaluate(event(id, 0, .markCompact, 50)) == nil)
        #expect(slow.evaluate(event(id, 10_000, .markCompact, 60)) == nil)
        // Fast growth below half the limit (warm-up) never trips it.
        var young = HeapLimitRule(heapLimit: mb(100))
        #expect(young.evaluate(event(id, 0, .markCompact, 10)) == nil)
        #expect(young.evaluate(event(id, 500, .markCompact, 45)) == nil)
    }

    @Test func chartKeepsAFixedNumberOfBucketsOverAnyLength() {
        var chart = HeapChart(capacity: 8, initialWidthMs: 100)
        for i in 0..<10_000 {
            chart.add(timeMs: Double(i) * 10, used: Int64(i))
        }
        #expect(chart.buckets.count <= 8)
        #expect(chart.buckets.first??.low == 0)
        #expect(chart.buckets.last??.high == 9999)
        chart.add(timeMs: .nan, used: 1)
        chart.add(timeMs: 1e300, used: 1)
        #expect(chart.buckets.count <= 8)
    }

    @Test func floorTrendSpansTheTrace() throws {
        let id = IsolateID(pid: 1, isolate: 1)
        var watch = IsolateWatch(id: id, detector: TrendDetector())
        for i in 0...600 {
            _ = watch.observe(event(id, Double(i) * 100, .scavenge, 10 + Double(i) / 10))
        }
        let trend = try #require(watch.floorTrend)
        #expect(trend.first == mb(10))
        // The lowest of the last quarter: about 15 s before the end.
        #expect(trend.last > mb(50) && trend.last <= mb(60))
        let rate = try #require(trend.bytesPerSecond)
        #expect(abs(rate - Double(mb(1))) < Double(mb(0.1)))
    }

    @Test func formatsAreFixedAndLocaleFree() {
        #expect(HumanReadable.megabytes(mb(48.25)) == "48.3 MB")
        #expect(HumanReadable.rate(Double(mb(68.9)) / 60) == "68.9 MB/min")
        #expect(HumanReadable.duration(42.4) == "42 s")
        #expect(HumanReadable.duration(29 * 60) == "29 min")
        #expect(HumanReadable.duration(5 * 3600) == "5.0 h")
        #expect(HumanReadable.fixed(-0.04, digits: 1) == "0.0")
        #expect(HumanReadable.fixed(-1.25, digits: 1) == "-1.3")
        let p = ReasonFormat.projection(limit: mb(2048), used: mb(48), bytesPerSecond: Double(mb(2000)) / (29 * 60))
        #expect(p?.text == "at this rate the 2048 MB heap limit is reached in ~29 min")
        #expect(ReasonFormat.projection(limit: mb(10), used: mb(20), bytesPerSecond: 1)?.seconds == 0)
        #expect(ReasonFormat.projection(limit: nil, used: 1, bytesPerSecond: 1) == nil)
        #expect(ReasonFormat.projection(limit: mb(10), used: 1, bytesPerSecond: 0) == nil)
    }
}

@Suite("Heap limit from the trace")
struct DetectTracedHeapLimitTests {
    /// `--trace-gc-verbose` prints `Memory allocator, used: U KB, available: A KB`;
    /// U + A is V8's heap_size_limit, so the projection needs no option.
    @Test func watchProjectsToTheLimitTheTraceReports() throws {
        var log = ""
        for i in 0...6 {
            let after = 20.0 + Double(i) * 10
            log += "[99:0x5000]  \(1000 + i * 10_000) ms: Mark-Compact \(after + 5) (\(after + 20)) -> \(after) (\(after + 20)) MB, 6.04 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; GC in old space requested\n"
            log += "[99:0x5000] Memory allocator,       used:   \(40960 + i * 10240) KB, available: \(1_007_616 - i * 10240) KB\n"
        }
        var watch = LeakWatch(detector: .consecutiveGrowth)
        var parser = GCTraceParser()
        var alerts: [WatchAlert] = []
        for line in log.split(separator: "\n") {
            if let record = parser.parse(line) { alerts += watch.observe(record) }
        }
        guard case .leak(let finding)? = alerts.first(where: { if case .leak = $0 { true } else { false } }) else {
            Issue.record("no leak in \(watch.isolates.first?.gcs ?? 0) GCs")
            return
        }
        // 1024 MB limit; 70 MB after the 6th full GC at 1 MB/s: ~954 s.
        #expect(finding.heapLimit == mb(1024))
        #expect(finding.reason.hasSuffix("; at this rate the 1024 MB heap limit is reached in ~16 min"))
        let seconds = try #require(finding.secondsToLimit)
        #expect(abs(seconds - 954) < 1)
        #expect(watch.watch(for: finding.id)?.tracedHeapLimit == mb(1024))
    }

    @Test func aConfiguredLimitWins() {
        var watch = LeakWatch(detector: .trend, heapLimit: mb(512))
        let id = IsolateID(pid: 1, isolate: 2)
        watch.learnHeapLimit(mb(4096), for: id)
        #expect(watch.watch(for: id)?.tracedHeapLimit == nil)
    }
}

@Suite("LeakWatch bookkeeping")
struct DetectLeakWatchBookkeepingTests {
    @Test func forgetDropsOneIsolateAndKeepsTheOthers() {
        var watch = LeakWatch()
        let ids = (1...4).map { IsolateID(pid: Int32($0), isolate: 0x10) }
        for (i, id) in ids.enumerated() {
            for n in 0...i { _ = watch.observe(GCEvent(id: id, timeMs: Double(n), kind: .scavenge, usedBefore: 2, usedAfter: 1)) }
        }
        watch.forget(ids[1])
        watch.forget(IsolateID(pid: 99, isolate: 1))  // never seen: nothing happens
        #expect(watch.isolates.map(\.id) == [ids[0], ids[2], ids[3]])
        #expect(watch.isolates.map(\.gcs) == [1, 3, 4])
        _ = watch.observe(GCEvent(id: ids[3], timeMs: 9, kind: .markCompact, usedBefore: 2, usedAfter: 1))
        _ = watch.observe(GCEvent(id: ids[1], timeMs: 9, kind: .markCompact, usedBefore: 2, usedAfter: 1))
        #expect(watch.watch(for: ids[3])?.fullGCs == 1)
        #expect(watch.watch(for: ids[1])?.gcs == 1)
    }
}
