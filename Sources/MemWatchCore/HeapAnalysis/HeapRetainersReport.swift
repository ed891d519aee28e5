/// `heap retainers`: why objects of one constructor are still alive — their shortest
/// retaining paths from the roots, grouped by shape, largest retained size first.
public struct HeapRetainersReport: Codable, Sendable {
    public var constructor: String
    /// Objects of that constructor in the snapshot.
    public var count: Int
    public var paths: [HeapRetainingPathGroup]

    public static func compute(path: String, constructor: String, progress: HeapProgress? = nil) throws -> HeapRetainersReport {
        let graph = try HeapSnapshotReader.read(path: path, progress: progress)
        return HeapRetainersReport(graph: graph, constructor: constructor, progress: progress)
    }

    public init(graph: HeapGraph, constructor: String, progress: HeapProgress? = nil) {
        let classes = HeapNodeClasses(graph: graph)
        var nodes: [Int32] = []
        if let cls = classes.names.firstIndex(of: constructor) {
            for node in 0..<graph.nodeCount where Int(classes.classOfNode[node]) == cls && HeapNodeClasses.isCounted(graph, node) {
                nodes.append(Int32(node))
            }
        }
        self.constructor = constructor
        count = nodes.count
        guard !nodes.isEmpty else { paths = []; return }
        progress?.begin(phase: "distances")
        let distances = HeapDistances(graph: graph, recordParents: true)
        progress?.begin(phase: "dominators")
        let tree = DominatorTree(graph: graph, retention: HeapRetention(graph: graph))
        let retained = tree.retainedSizes(graph: graph)
        progress?.begin(phase: "retaining paths")
        paths = HeapRetainingPaths(graph: graph, classes: classes, distances: distances)
            .groups(of: nodes, tree: tree, retained: retained)
    }
}
