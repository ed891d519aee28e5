/// Objects that share the shape of their shortest retaining path from the roots, the way
/// memlab clusters its traces: element indexes are blurred to `[]`, so 10,000 sessions in one
/// Map form one group.
public struct HeapRetainingPathGroup: Codable, Sendable, Equatable {
    /// The class name of the objects in the group.
    public var constructor: String
    /// From the first object below the root to the objects themselves, each step as
    /// `edge: Class` (`.sessionStore: Map`, `{table}: (system)`, `[]: Session`).
    public var path: [String]
    public var count: Int
    /// Bytes freed if the group's objects went away (nested objects counted once).
    public var retainedSize: Int

    enum CodingKeys: String, CodingKey {
        case constructor, path, count, retainedSize = "retained_size"
    }
}

/// Finds and groups shortest retaining paths over the BFS tree of `HeapDistances`
/// (weak edges are never on a path; user roots are preferred over V8's own roots).
public struct HeapRetainingPaths {
    let graph: HeapGraph
    let classes: HeapNodeClasses
    let distances: HeapDistances

    public init(graph: HeapGraph, classes: HeapNodeClasses, distances: HeapDistances) {
        self.graph = graph
        self.classes = classes
        self.distances = distances
    }

    /// The path's steps, root excluded; empty when nothing strong reaches the node.
    public func steps(to node: Int) -> [(edge: Int, node: Int)] {
        var steps: [(edge: Int, node: Int)] = []
        var v = node
        while v != graph.rootIndex {
            let parent = Int(distances.parentNode[v])
            guard parent >= 0, steps.count < 10_000 else { return [] }
            steps.append((Int(distances.parentEdge[v]), v))
            v = parent
        }
        return steps.reversed()
    }

    /// The readable path; element indexes kept when `exact`, else blurred to `[]`.
    public func describe(_ node: Int, exact: Bool = false) -> [String] {
        let steps = steps(to: node)
        return steps.enumerated().map { i, step in
            let cls = classes.name(of: step.node)
            if i == 0 && Int(graph.edgeTypes[step.edge]) == graph.types.shortcutEdge { return cls }
            return "\(edgeText(step.edge, exact: exact)): \(cls)"
        }
    }

    private func edgeText(_ edge: Int, exact: Bool) -> String {
        !exact && isIndex(edge) ? "[]" : graph.edgeLabel(edge)
    }

    /// Element and hidden edges, and internal edges named by a number (a hash table's slots),
    /// differ from object to object only by position: paths blur them.
    @inline(__always)
    private func isIndex(_ edge: Int) -> Bool {
        let type = Int(graph.edgeTypes[edge])
        if type == graph.types.elementEdge || type == graph.types.hiddenEdge { return true }
        return graph.hasEdgeNames && graph.strings.isDigits(Int(graph.edgeNames[edge]))
    }

    /// Groups `nodes` by path shape and ranks the groups by retained size. A node dominated by
    /// another node of the set adds to the count but not to the retained size (it is inside).
    /// Without a dominator tree, retained sizes stay 0 and groups rank by count.
    public func groups(of nodes: [Int32], tree: DominatorTree?, retained: [Int]?) -> [HeapRetainingPathGroup] {
        var insideAnother: [Bool] = []
        if let tree {
            var inSet = [Bool](repeating: false, count: graph.nodeCount)
            for node in nodes { inSet[Int(node)] = true }
            insideAnother = Self.dominatedBySet(inSet, tree: tree)
        }
        var groupIndex: [[Int]: Int] = [:]
        var groups: [HeapRetainingPathGroup] = []
        for node in nodes.map(Int.init) {
            let steps = steps(to: node)
            guard !steps.isEmpty else { continue }
            var key: [Int] = []
            key.reserveCapacity(steps.count * 2)
            for step in steps {
                let type = Int(graph.edgeTypes[step.edge])
                let name = isIndex(step.edge) || !graph.hasEdgeNames ? -1 : Int(graph.edgeNames[step.edge])
                key.append(type << 40 | (name & 0xFF_FFFF_FFFF))
                key.append(Int(classes.classOfNode[step.node]))
            }
            let index: Int
            if let existing = groupIndex[key] {
                index = existing
            } else {
                index = groups.count
                groupIndex[key] = index
                groups.append(HeapRetainingPathGroup(constructor: classes.name(of: node), path: describe(node),
                                                     count: 0, retainedSize: 0))
            }
            groups[index].count += 1
            if let retained, !insideAnother[node] { groups[index].retainedSize += retained[node] }
        }
        return groups.sorted {
            $0.retainedSize != $1.retainedSize ? $0.retainedSize > $1.retainedSize : $0.count > $1.count
        }
    }

    /// For each node: does a proper dominator of it belong to the set? One pass in DFS
    /// preorder, where every dominator comes before the nodes it dominates.
    static func dominatedBySet(_ inSet: [Bool], tree: DominatorTree) -> [Bool] {
        var inside = [Bool](repeating: false, count: inSet.count)
        for v in tree.order.dropFirst().map(Int.init) {
            let d = Int(tree.idom[v])
            inside[v] = inSet[d] || inside[d]
        }
        return inside
    }
}
