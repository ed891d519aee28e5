/// A heap snapshot as flat arrays: one entry per node and per edge, no object per node.
/// Node `i`'s edges are `firstEdge[i] ..< firstEdge[i + 1]`; edge targets are node ordinals.
public struct HeapGraph: Sendable {
    public let meta: HeapSnapshotMeta
    public let rootIndex: Int

    public internal(set) var nodeTypes: [UInt8] = []
    public internal(set) var nodeNames: [UInt32] = []
    public internal(set) var nodeIds: [UInt32] = []
    var nodeSelfSizes: [UInt32] = []
    /// Self sizes that do not fit 32 bits (huge native backing stores), by node ordinal.
    var largeSelfSizes: [Int32: Int] = [:]
    /// Prefix sums of the nodes' edge counts; empty when the reader skipped edges.
    public internal(set) var firstEdge: [Int32] = []

    public internal(set) var edgeTypes: [UInt8] = []
    /// String index for named edges, the index for element/hidden edges; empty unless asked for.
    public internal(set) var edgeNames: [UInt32] = []
    public internal(set) var edgeTargets: [Int32] = []

    public internal(set) var strings = HeapStringStore()
    public let types: HeapTypeCodes

    init(meta: HeapSnapshotMeta) {
        self.meta = meta
        rootIndex = meta.rootIndex
        types = HeapTypeCodes(meta: meta)
    }

    /// Names, ids and edge names are not needed once classes are assigned; freeing them
    /// before the dominator tree lowers the peak memory of a summary.
    mutating func releaseColumnsUnusedByDominators() {
        nodeNames = []
        nodeIds = []
        edgeNames = []
    }

    public var nodeCount: Int { nodeTypes.count }
    public var edgeCount: Int { edgeTargets.count }
    public var hasEdges: Bool { !firstEdge.isEmpty }
    public var hasEdgeNames: Bool { !edgeNames.isEmpty }

    @inline(__always)
    public func selfSize(_ node: Int) -> Int {
        let size = nodeSelfSizes[node]
        return size == UInt32.max ? largeSelfSizes[Int32(node)] ?? Int(size) : Int(size)
    }

    public func name(_ node: Int) -> String { strings[Int(nodeNames[node])] }
    public func typeName(_ node: Int) -> String { meta.nodeTypes[Int(nodeTypes[node])] }
    public func edges(of node: Int) -> Range<Int> { Int(firstEdge[node])..<Int(firstEdge[node + 1]) }

    /// The edge's label as DevTools prints it: `.name`, `[index]`, `->context`, `{internal}`.
    public func edgeLabel(_ edge: Int) -> String {
        let type = Int(edgeTypes[edge])
        let raw = hasEdgeNames ? Int(edgeNames[edge]) : -1
        let name: String
        if type == types.elementEdge || type == types.hiddenEdge || raw < 0 {
            name = String(raw)
        } else {
            name = strings[raw]
        }
        switch type {
        case types.elementEdge: return "[\(name)]"
        case types.contextEdge: return "->\(name)"
        case types.weakEdge: return "[[\(name)]]"
        case types.propertyEdge, types.shortcutEdge:
            return name.contains(" ") ? "[\"\(name)\"]" : ".\(name)"
        default: return "{\(name)}"
        }
    }
}

/// The numeric codes of the node and edge types this code reasons about, looked up by name
/// in `meta` (-1 when a snapshot does not have that type).
public struct HeapTypeCodes: Sendable {
    public let hidden, array, string, object, code, closure, regexp, number, native, synthetic,
        consString, slicedString, symbol, bigint, objectShape: Int
    public let weakEdge, shortcutEdge, elementEdge, hiddenEdge, internalEdge, propertyEdge, contextEdge: Int

    init(meta: HeapSnapshotMeta) {
        func node(_ name: String) -> Int { meta.nodeTypes.firstIndex(of: name) ?? -1 }
        func edge(_ name: String) -> Int { meta.edgeTypes.firstIndex(of: name) ?? -1 }
        hidden = node("hidden"); array = node("array"); string = node("string"); object = node("object")
        code = node("code"); closure = node("closure"); regexp = node("regexp"); number = node("number")
        native = node("native"); synthetic = node("synthetic"); consString = node("concatenated string")
        slicedString = node("sliced string"); symbol = node("symbol"); bigint = node("bigint")
        objectShape = node("object shape")
        weakEdge = edge("weak"); shortcutEdge = edge("shortcut"); elementEdge = edge("element")
        hiddenEdge = edge("hidden"); internalEdge = edge("internal"); propertyEdge = edge("property")
        contextEdge = edge("context")
    }
}
