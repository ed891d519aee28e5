/// Which edges keep their target alive, as DevTools decides it for dominators:
/// weak edges never; shortcut edges only from the root (where they mark the user's global
/// objects); and an edge from a node outside the user's object graph into it is ignored, so a
/// debugger or V8-internal reference does not take credit for user objects.
public struct HeapRetention: Sendable {
    public let root: Int
    let weakEdge: Int
    let shortcutEdge: Int
    /// Nodes reachable from the user roots (the root's shortcut targets) over non-weak edges.
    public let userOwned: [Bool]

    public init(graph: HeapGraph) {
        root = graph.rootIndex
        weakEdge = graph.types.weakEdge
        shortcutEdge = graph.types.shortcutEdge
        var owned = [Bool](repeating: false, count: graph.nodeCount)
        var stack: [Int32] = []
        let types = graph.edgeTypes, targets = graph.edgeTargets, first = graph.firstEdge
        for e in graph.edges(of: root) where Int(types[e]) == shortcutEdge {
            let v = Int(targets[e])
            if !owned[v] { owned[v] = true; stack.append(Int32(v)) }
        }
        while let u = stack.popLast() {
            for e in Int(first[Int(u)])..<Int(first[Int(u) + 1]) where Int(types[e]) != weakEdge {
                let v = Int(targets[e])
                if !owned[v] { owned[v] = true; stack.append(Int32(v)) }
            }
        }
        userOwned = owned
    }

    @inline(__always)
    public func retains(from u: Int, edgeType: Int, to v: Int) -> Bool {
        if edgeType == weakEdge { return false }
        if u == root { return true }
        if edgeType == shortcutEdge { return false }
        return !userOwned[v] || userOwned[u]
    }
}
