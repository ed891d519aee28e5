import Foundation
import Testing
@testable import MemWatchCore

/// Acceptance on real traces: the shared scenario apps recorded under Node
/// 20/22/24/26 (30 s each) and the adversarial apps of `Tests/Fixtures/apps`
/// (`scripts/record-adversarial-traces.sh`). An app named `leak_*` leaks,
/// `ok_*` does not.
@Suite struct DetectFixtureTests {
    static func traces(under folder: String) -> [String] {
        ["node20", "node22", "node24", "node26"].flatMap { version -> [String] in
            let dir = Fixtures.url("\(folder)/\(version)")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            // The .nvp/.verbose recordings are 10 s: too short for any verdict.
            return names.filter { $0.hasSuffix(".log") && $0.split(separator: ".").count == 2 }
                .sorted().map { "\(folder)/\(version)/\($0)" }
        }
    }

    static let scenarioTraces = traces(under: "traces")
    static let adversarialTraces = traces(under: "adversarial")

    /// The first leak per isolate that `detector` finds in the trace.
    static func replay(_ path: String, _ detector: DetectorKind) throws -> [LeakFinding] {
        try watch(path, detector).leaks
    }

    static func watch(_ path: String, _ detector: DetectorKind) throws -> LeakWatch {
        var watch = LeakWatch(detector: detector)
        let summary = try GCTraceFileScanner.scan(path: Fixtures.url(path).path) { _ = watch.observe($0) }
        #expect(summary.collections > 0, "no GC line in \(path)")
        return watch
    }

    static func expectsLeak(_ path: String) -> Bool {
        path.split(separator: "/").last!.hasPrefix("leak_")
    }

    @Test func scenarioTracesAreAllThere() {
        #expect(Self.scenarioTraces.count == 24)
    }

    @Test(arguments: ["node20", "node22", "node24", "node26"])
    func leakingWorkerIsToldApartFromItsHealthyMainThread(_ version: String) throws {
        let watch = try Self.watch("adversarial/\(version)/leak_worker.log", .trend)
        let isolates = watch.isolates
        #expect(isolates.count == 2)
        #expect(Set(isolates.map(\.id.pid)).count == 1)
        // The main thread only churns: one isolate leaks, the other does not.
        #expect(isolates.filter { $0.leak != nil }.count == 1)
    }

    @Test(arguments: scenarioTraces + adversarialTraces)
    func trendIsRightAndNoLaterThanConsecutiveGrowth(_ path: String) throws {
        let trend = try Self.replay(path, .trend)
        let memwatch = try Self.replay(path, .consecutiveGrowth)
        if Self.expectsLeak(path) {
            let found = try #require(trend.first, "trend missed the leak in \(path)")
            #expect(found.reason.hasPrefix("heap floor grew "))
            if let baseline = memwatch.first(where: { $0.id == found.id }) {
                #expect(found.atMs <= baseline.atMs, "\(path): trend at \(found.atMs) ms, consecutive-growth at \(baseline.atMs) ms")
            }
        } else {
            #expect(trend.isEmpty, "false alarm in \(path): \(trend.map(\.reason))")
        }
    }
}
