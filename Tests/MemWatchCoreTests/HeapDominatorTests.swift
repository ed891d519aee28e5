import Foundation
import Testing
import TestSupport
@testable import MemWatchCore

/// The definition itself: a node's retained size is what becomes unreachable from the root
/// when the node is removed. Slow, obviously right, used to check the dominator tree.
enum BruteForceRetention {
    static func reachable(_ graph: HeapGraph, _ retention: HeapRetention, _ tree: DominatorTree,
                          without removed: Int?) -> [Bool] {
        var seen = [Bool](repeating: false, count: graph.nodeCount)
        guard removed != graph.rootIndex else { return seen }
        var stack = [graph.rootIndex]
        seen[graph.rootIndex] = true
        var virtual = Set(tree.virtualRootChildren.map(Int.init))
        while let u = stack.popLast() {
            var next: [Int] = []
            for e in graph.edges(of: u) where retention.retains(from: u, edgeType: Int(graph.edgeTypes[e]), to: Int(graph.edgeTargets[e])) {
                next.append(Int(graph.edgeTargets[e]))
            }
            if u == graph.rootIndex { next += virtual; virtual = [] }
            for v in next where v != removed && !seen[v] {
                seen[v] = true
                stack.append(v)
            }
        }
        return seen
    }

    static func retainedSize(of node: Int, _ graph: HeapGraph, _ retention: HeapRetention, _ tree: DominatorTree,
                             baseline: [Bool]) -> Int {
        let after = reachable(graph, retention, tree, without: node)
        var size = 0
        for v in 0..<graph.nodeCount where baseline[v] && !after[v] { size += graph.selfSize(v) }
        return size
    }

    /// Nodes that some node of `cls` dominates (itself included), as a set.
    static func dominatedByClass(_ cls: Int32, _ classes: HeapNodeClasses, _ graph: HeapGraph,
                                 _ retention: HeapRetention, _ tree: DominatorTree, baseline: [Bool]) -> Set<Int> {
        var union = Set<Int>()
        for x in 0..<graph.nodeCount where classes.classOfNode[x] == cls && HeapNodeClasses.isCounted(graph, x) {
            let after = reachable(graph, retention, tree, without: x)
            for v in 0..<graph.nodeCount where baseline[v] && !after[v] { union.insert(v) }
        }
        return union
    }
}

/// Deterministic pseudo-random numbers (SplitMix64), so a failing graph can be rebuilt.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct HeapDominatorTests {
    static func randomGraph(seed: UInt64, nodes: Int) -> SyntheticSnapshot {
        var rng = SeededRandom(state: seed)
        var s = SyntheticSnapshot.withRoot()
        let gcRoots = s.add("synthetic", "(GC roots)", size: 0)
        s.link(0, gcRoots, "element", "1")
        let classes = ["Session", "Map", "Object", "Array"]
        for i in 0..<nodes {
            let type = ["object", "object", "object", "string", "closure", "array", "hidden"][Int.random(in: 0..<7, using: &rng)]
            s.add(type, classes[i % classes.count], size: Int.random(in: 1...500, using: &rng))
        }
        let edgeTypes = ["property", "property", "element", "internal", "context", "weak", "shortcut", "hidden"]
        for u in 1..<s.nodes.count {
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let v = Int.random(in: 1..<s.nodes.count, using: &rng)
                let type = edgeTypes[Int.random(in: 0..<edgeTypes.count, using: &rng)]
                s.link(u, v, type, type == "element" || type == "hidden" ? String(v) : "f\(v % 3)")
            }
            if Int.random(in: 0..<10, using: &rng) == 0 { s.link(gcRoots, u, "element", String(u)) }
        }
        return s
    }

    static func load(_ s: SyntheticSnapshot) throws -> HeapGraph {
        let url = try s.write()
        defer { TestRunDirectory.remove(url.path) }
        return try HeapSnapshotReader.read(path: url.path)
    }

    @Test(arguments: 1...12)
    func retainedSizesMatchBruteForce(seed: Int) throws {
        let graph = try Self.load(Self.randomGraph(seed: UInt64(seed), nodes: 20 + seed * 7))
        let retention = HeapRetention(graph: graph)
        let tree = DominatorTree(graph: graph, retention: retention)
        let retained = tree.retainedSizes(graph: graph)
        let baseline = BruteForceRetention.reachable(graph, retention, tree, without: nil)
        #expect(baseline.allSatisfy { $0 }, "every node hangs off the root, directly or as a virtual child")
        let nested = (0..<graph.nodeCount).filter { tree.idom[$0] != Int32(graph.rootIndex) && retained[$0] > graph.selfSize($0) }
        #expect(nested.count >= 2, "the graph must have non-trivial dominators to test anything")
        for node in 0..<graph.nodeCount {
            let expected = BruteForceRetention.retainedSize(of: node, graph, retention, tree, baseline: baseline)
            #expect(retained[node] == expected, "seed \(seed), node \(node)")
        }
    }

    @Test(arguments: 1...6)
    func classRetainedSizeCountsNestedObjectsOnce(seed: Int) throws {
        let graph = try Self.load(Self.randomGraph(seed: UInt64(100 + seed), nodes: 40))
        let retention = HeapRetention(graph: graph)
        let tree = DominatorTree(graph: graph, retention: retention)
        let classes = HeapNodeClasses(graph: graph)
        let perClass = HeapSummary.classRetainedSizes(graph: graph, classes: classes, tree: tree)
        let baseline = BruteForceRetention.reachable(graph, retention, tree, without: nil)
        for cls in 0..<classes.count {
            let union = BruteForceRetention.dominatedByClass(Int32(cls), classes, graph, retention, tree, baseline: baseline)
            #expect(perClass[cls] == union.reduce(0) { $0 + graph.selfSize($1) }, "seed \(seed), class \(classes.names[cls])")
        }
    }

    @Test func weakEdgesDoNotRetainAndOnlyHeldObjectsAreChildrenOfTheRoot() throws {
        var s = SyntheticSnapshot.withRoot()
        let cache = s.add("object", "Cache", size: 10)
        let entry = s.add("object", "Entry", size: 100)
        let orphan = s.add("object", "Orphan", size: 7)
        let orphanChild = s.add("object", "OrphanChild", size: 5)
        s.link(1, cache, "property", "cache")
        s.link(cache, entry, "property", "entry")
        s.link(1, entry, "weak", "observer")
        s.link(cache, orphan, "weak", "ref")
        s.link(orphan, orphanChild, "property", "child")
        let graph = try Self.load(s)
        let tree = DominatorTree(graph: graph, retention: HeapRetention(graph: graph))
        let retained = tree.retainedSizes(graph: graph)
        #expect(retained[cache] == 110)
        #expect(retained[1] == 24 + 110)
        #expect(tree.virtualRootChildren == [Int32(orphan)])
        #expect(retained[orphan] == 12)
        #expect(retained[0] == 24 + 110 + 12)
        #expect(tree.idom[orphanChild] == Int32(orphan))
    }

    @Test func summaryGroupsLikeDevTools() throws {
        var s = SyntheticSnapshot.withRoot()
        let a = s.add("object", "Session", size: 40)
        let b = s.add("object", "Session", size: 40)
        let str1 = s.add("string", "hello", size: 20)
        let str2 = s.add("concatenated string", "hello world", size: 32)
        let str3 = s.add("sliced string", "ello", size: 32)
        let fn = s.add("closure", "handler", size: 64)
        let shape = s.add("object shape", "system / Map", size: 80)
        let hidden = s.add("hidden", "system / Context", size: 48)
        let code = s.add("code", "foo", size: 128)
        let number = s.add("number", "heap number", size: 16)
        s.link(1, a, "property", "first")
        s.link(a, b, "property", "next")
        for node in [str1, str2, str3, fn, shape, hidden, code, number] { s.link(a, node, "property", "x\(node)") }
        let graph = try Self.load(s)
        let summary = HeapSummary(graph: graph)
        let byName = Dictionary(uniqueKeysWithValues: summary.constructors.map { ($0.name, $0) })
        #expect(byName["Session"]?.count == 2)
        #expect(byName["Session"]?.distance == 2)
        #expect(byName["Session"]?.shallowSize == 80)
        #expect(byName["Session"]?.retainedSize == 80 + 20 + 32 + 32 + 64 + 80 + 48 + 128 + 16)
        #expect(byName["(string)"]?.count == 3)
        #expect(byName["(string)"]?.shallowSize == 84)
        #expect(byName["(closure)"]?.count == 1)
        #expect(byName["(system)"]?.count == 2)
        #expect(byName["(compiled code)"]?.shallowSize == 128)
        #expect(byName["(number)"]?.count == 1)
        #expect(byName["global"]?.distance == 1)
        #expect(byName[""] == nil, "the synthetic root has no size and is left out")
        #expect(summary.constructors.first?.name == "global")
        #expect(summary.statistics.total == 24 + 80 + 84 + 64 + 80 + 48 + 128 + 16)
        #expect(summary.statistics.strings == 84)
        #expect(summary.statistics.code == 128)
    }
}
