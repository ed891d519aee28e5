/// One line of the Summary view.
public struct HeapConstructorSummary: Codable, Sendable, Equatable {
    public var name: String
    public var count: Int
    /// Smallest distance from the user roots; nil when only V8's own roots reach the class.
    public var distance: Int?
    public var shallowSize: Int
    /// nil when retained sizes were not computed (`--no-retained`).
    public var retainedSize: Int?

    enum CodingKeys: String, CodingKey {
        case name, count, distance, shallowSize = "shallow_size", retainedSize = "retained_size"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(count, forKey: .count)
        try c.encode(distance, forKey: .distance)
        try c.encode(shallowSize, forKey: .shallowSize)
        try c.encode(retainedSize, forKey: .retainedSize)
    }
}

/// DevTools' Summary view (objects grouped by constructor) and Statistics view of one snapshot.
public struct HeapSummary: Codable, Sendable {
    /// Sorted by retained size (shallow size without retained sizes), largest first.
    public var constructors: [HeapConstructorSummary]
    public var statistics: HeapStatistics

    /// Reads `path` and summarises it. Without retained sizes only nodes are kept (no edges,
    /// no dominators, no distances): the cheap count-and-shallow-size pass.
    public static func compute(path: String, retainedSizes: Bool = true,
                               progress: HeapProgress? = nil) throws -> HeapSummary {
        let options = HeapSnapshotReadOptions(edges: retainedSizes ? .targetsAndNames : .skip, keepAllStrings: false,
                                              keepNodeIDs: false)
        let graph = try HeapSnapshotReader.read(path: path, options: options, progress: progress)
        return HeapSummary(graph: graph, retainedSizes: retainedSizes, progress: progress)
    }

    /// Consumes the graph so it can drop the columns it is done with before the dominator
    /// tree, the phase that needs the most memory.
    public init(graph: consuming HeapGraph, retainedSizes: Bool = true, progress: HeapProgress? = nil) {
        var graph = graph
        progress?.begin(phase: "grouping by constructor")
        let withDominators = retainedSizes && graph.hasEdges
        let classes = HeapNodeClasses(graph: graph, perNode: withDominators)
        var distances: HeapDistances?
        if graph.hasEdges {
            progress?.begin(phase: "distances")
            distances = HeapDistances(graph: graph, recordParents: false)
        }
        var counts = [Int](repeating: 0, count: classes.count)
        var shallow = [Int](repeating: 0, count: classes.count)
        var minDistance = [Int32](repeating: HeapDistances.unreachable, count: classes.count)
        for node in 0..<graph.nodeCount where HeapNodeClasses.isCounted(graph, node) {
            let cls = classes.classOf(node, in: graph)
            counts[cls] += 1
            shallow[cls] += graph.selfSize(node)
            if let distances { minDistance[cls] = min(minDistance[cls], distances.distance[node]) }
        }
        statistics = HeapStatistics(graph: graph, distances: distances)
        let hasDistances = distances != nil
        distances = nil
        graph.releaseColumnsUnusedByDominators()

        var classRetained: [Int]?
        if withDominators {
            progress?.begin(phase: "dominators")
            let tree = DominatorTree(graph: graph, retention: HeapRetention(graph: graph))
            progress?.begin(phase: "retained sizes")
            classRetained = Self.classRetainedSizes(graph: graph, classes: classes, tree: tree)
        }
        var result: [HeapConstructorSummary] = []
        for cls in 0..<classes.count where counts[cls] > 0 {
            let distance = hasDistances && minDistance[cls] < HeapDistances.systemBase ? Int(minDistance[cls]) : nil
            result.append(HeapConstructorSummary(name: classes.names[cls], count: counts[cls], distance: distance,
                                                 shallowSize: shallow[cls], retainedSize: classRetained?[cls]))
        }
        result.sort {
            let a = $0.retainedSize ?? $0.shallowSize, b = $1.retainedSize ?? $1.shallowSize
            return a != b ? a > b : $0.name < $1.name
        }
        constructors = result
    }

    /// A class's retained size counts each object's retained size once, skipping objects that
    /// another object of the same class dominates (their bytes are already in that one's).
    static func classRetainedSizes(graph: HeapGraph, classes: HeapNodeClasses, tree: DominatorTree) -> [Int] {
        let retained = tree.retainedSizes(graph: graph)
        let (start, children) = tree.children()
        var total = [Int](repeating: 0, count: classes.count)
        var onPath = [Int32](repeating: 0, count: classes.count)
        var stackNode: [Int32] = [Int32(graph.rootIndex)]
        var stackNext: [Int32] = [start[graph.rootIndex]]
        func enter(_ node: Int) {
            guard HeapNodeClasses.isCounted(graph, node) else { return }
            let cls = Int(classes.classOfNode[node])
            if onPath[cls] == 0 { total[cls] += retained[node] }
            onPath[cls] += 1
        }
        enter(graph.rootIndex)
        while let node = stackNode.last {
            let top = stackNode.count - 1
            let next = Int(stackNext[top])
            if next < Int(start[Int(node) + 1]) {
                stackNext[top] += 1
                let child = Int(children[next])
                enter(child)
                stackNode.append(Int32(child))
                stackNext.append(start[child])
            } else {
                if HeapNodeClasses.isCounted(graph, Int(node)) { onPath[Int(classes.classOfNode[Int(node)])] -= 1 }
                stackNode.removeLast()
                stackNext.removeLast()
            }
        }
        return total
    }
}
