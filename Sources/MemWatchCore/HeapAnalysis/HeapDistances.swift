/// Distance of every node from the roots, as DevTools computes it: breadth-first from the
/// user roots (the global objects, distance 1), then from the root for what only V8's own
/// roots reach (offset by `systemBase`). Weak edges are not followed. The BFS tree also gives
/// each node's shortest retaining path (`parentNode`, `parentEdge`).
public struct HeapDistances: Sendable {
    public static let systemBase: Int32 = 100_000_000
    public static let unreachable: Int32 = Int32.max

    public let distance: [Int32]
    /// The node and edge that first reached each node; -1 for the root and unreached nodes.
    public let parentNode: [Int32]
    public let parentEdge: [Int32]

    public init(graph: HeapGraph, recordParents: Bool) {
        let n = graph.nodeCount
        var distance = [Int32](repeating: Self.unreachable, count: n)
        var parentNode = recordParents ? [Int32](repeating: -1, count: n) : []
        var parentEdge = recordParents ? [Int32](repeating: -1, count: n) : []
        var queue = [Int32](repeating: 0, count: n)
        let root = graph.rootIndex
        let types = graph.types
        let filter = DistanceEdgeFilter(graph: graph)
        let edgeTypes = graph.edgeTypes, targets = graph.edgeTargets, first = graph.firstEdge
        let nodeTypes = graph.nodeTypes

        func bfs(_ queued: Int) {
            var head = 0
            var tail = queued
            while head < tail {
                let u = Int(queue[head])
                head += 1
                let next = distance[u] + 1
                for e in Int(first[u])..<Int(first[u + 1]) {
                    if Int(edgeTypes[e]) == types.weakEdge { continue }
                    let v = Int(targets[e])
                    if distance[v] != Self.unreachable || !filter.allows(node: u, edge: e) { continue }
                    distance[v] = next
                    if recordParents { parentNode[v] = Int32(u); parentEdge[v] = Int32(e) }
                    queue[tail] = Int32(v)
                    tail += 1
                }
            }
        }

        var queued = 0
        for e in graph.edges(of: root) {
            let v = Int(targets[e])
            if Int(nodeTypes[v]) == types.synthetic || distance[v] != Self.unreachable { continue }
            distance[v] = 1
            if recordParents { parentNode[v] = Int32(root); parentEdge[v] = Int32(e) }
            queue[queued] = Int32(v)
            queued += 1
        }
        bfs(queued)
        distance[root] = queued > 0 ? Self.systemBase : 0
        queue[0] = Int32(root)
        bfs(1)
        self.distance = distance
        self.parentNode = parentNode
        self.parentEdge = parentEdge
    }
}

/// DevTools skips two kinds of V8-internal links when measuring distance: a native context's
/// `sloppy_function_map`, and the key/value links of shared map descriptor arrays.
private struct DistanceEdgeFilter {
    let active: Bool
    let hidden, array, elementEdge, hiddenEdge: Int
    let nativeContextName, sloppyFunctionMapName, mapDescriptorsName: UInt32
    let nodeTypes: [UInt8], nodeNames: [UInt32], edgeTypes: [UInt8], edgeNames: [UInt32]

    init(graph: HeapGraph) {
        func index(_ s: String) -> UInt32 { graph.strings.firstIndex(of: s).map(UInt32.init) ?? UInt32.max }
        active = graph.hasEdgeNames
        hidden = graph.types.hidden
        array = graph.types.array
        elementEdge = graph.types.elementEdge
        hiddenEdge = graph.types.hiddenEdge
        nativeContextName = active ? index("system / NativeContext") : UInt32.max
        sloppyFunctionMapName = active ? index("sloppy_function_map") : UInt32.max
        mapDescriptorsName = active ? index("(map descriptors)") : UInt32.max
        nodeTypes = graph.nodeTypes
        nodeNames = graph.nodeNames
        edgeTypes = graph.edgeTypes
        edgeNames = graph.edgeNames
    }

    @inline(__always)
    func allows(node u: Int, edge e: Int) -> Bool {
        guard active else { return true }
        let type = Int(nodeTypes[u])
        if type == hidden {
            return !(nodeNames[u] == nativeContextName && edgeNames[e] == sloppyFunctionMapName
                && Int(edgeTypes[e]) != elementEdge && Int(edgeTypes[e]) != hiddenEdge)
        }
        if type == array && nodeNames[u] == mapDescriptorsName {
            let edgeType = Int(edgeTypes[e])
            guard edgeType == elementEdge || edgeType == hiddenEdge else { return true }
            let index = edgeNames[e]
            return index < 2 || index % 3 != 1
        }
        return true
    }
}
