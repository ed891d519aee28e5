/// memlab's three-snapshot method: objects allocated between snapshots A and B that are still
/// alive in C, grouped by retaining path and ranked by retained size. A is the baseline, B is
/// after the suspected action, C after it should have been undone.
public struct HeapLeakReport: Codable, Sendable {
    public var groups: [HeapRetainingPathGroup]

    public static func compute(baseline: String, target: String, final: String,
                               progress: HeapProgress? = nil) throws -> HeapLeakReport {
        let a = try HeapSnapshotReader.read(path: baseline, options: HeapDiffReport.readOptions, progress: progress)
        let idsA = HeapIDSet(ids: a.nodeIds)
        let b = try HeapSnapshotReader.read(path: target, options: HeapDiffReport.readOptions, progress: progress)
        let allocatedBetween = HeapIDSet(ids: b.nodeIds.filter { !idsA.contains($0) })
        let c = try HeapSnapshotReader.read(path: final, progress: progress)
        return HeapLeakReport(final: c, allocatedBetween: allocatedBetween, progress: progress)
    }

    /// `allocatedBetween`: ids present in B but not in A.
    public init(final graph: HeapGraph, allocatedBetween: HeapIDSet, progress: HeapProgress? = nil) {
        let classes = HeapNodeClasses(graph: graph)
        progress?.begin(phase: "distances")
        let distances = HeapDistances(graph: graph, recordParents: true)
        progress?.begin(phase: "dominators")
        let tree = DominatorTree(graph: graph, retention: HeapRetention(graph: graph))
        let retained = tree.retainedSizes(graph: graph)
        progress?.begin(phase: "grouping leaks")
        var isCandidate = [Bool](repeating: false, count: graph.nodeCount)
        for node in 0..<graph.nodeCount
        where allocatedBetween.contains(graph.nodeIds[node]) && Self.isUserVisible(graph, node)
            && HeapNodeClasses.isCounted(graph, node) {
            isCandidate[node] = true
        }
        // Report only the outermost leaked objects: what a leaked object holds is in its retained size.
        let inside = HeapRetainingPaths.dominatedBySet(isCandidate, tree: tree)
        var leaked: [Int32] = []
        for node in 0..<graph.nodeCount where isCandidate[node] && !inside[node] { leaked.append(Int32(node)) }
        groups = HeapRetainingPaths(graph: graph, classes: classes, distances: distances)
            .groups(of: leaked, tree: tree, retained: retained)
    }

    /// Objects a program creates, not V8's bookkeeping (hidden objects, shapes, code, internal
    /// arrays such as a Map's hash table that is reallocated as it grows).
    static func isUserVisible(_ graph: HeapGraph, _ node: Int) -> Bool {
        let t = graph.types
        let type = Int(graph.nodeTypes[node])
        if type == t.hidden || type == t.objectShape || type == t.code || type == t.array || type == t.synthetic {
            return false
        }
        if type == t.object || type == t.native {
            return !graph.name(node).hasPrefix("system / ")
        }
        return true
    }
}
