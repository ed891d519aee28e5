/// DevTools' Statistics view: where the heap's bytes are, by kind.
public struct HeapStatistics: Codable, Sendable, Equatable {
    public var total = 0
    /// Everything but native (embedder) memory.
    public var v8heap = 0
    public var native = 0
    public var code = 0
    public var strings = 0
    /// JS arrays with the backing store they alone hold.
    public var jsArrays = 0
    /// Array buffer backing stores.
    public var typedArrays = 0
    /// Objects only V8's own roots reach; nil when distances were not computed.
    public var system: Int?

    enum CodingKeys: String, CodingKey {
        case total, v8heap, native, code, strings
        case jsArrays = "js_arrays", typedArrays = "typed_arrays", system
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(total, forKey: .total)
        try c.encode(v8heap, forKey: .v8heap)
        try c.encode(native, forKey: .native)
        try c.encode(code, forKey: .code)
        try c.encode(strings, forKey: .strings)
        try c.encode(jsArrays, forKey: .jsArrays)
        try c.encode(typedArrays, forKey: .typedArrays)
        try c.encode(system, forKey: .system)
    }

    public init() {}

    init(graph: HeapGraph, distances: HeapDistances?) {
        let types = graph.types
        let arrayName = graph.strings.firstIndex(of: "Array").map(UInt32.init) ?? UInt32.max
        let bufferDataName = graph.strings.firstIndex(of: "system / JSArrayBufferData").map(UInt32.init) ?? UInt32.max
        let elementsName = graph.hasEdgeNames ? graph.strings.firstIndex(of: "elements").map(UInt32.init) ?? UInt32.max : UInt32.max
        var systemSize = 0
        var arrayNodes: [Int32] = []
        for node in 0..<graph.nodeCount {
            let size = graph.selfSize(node)
            total += size
            if let distances, distances.distance[node] >= HeapDistances.systemBase {
                systemSize += size
                continue
            }
            let type = Int(graph.nodeTypes[node])
            if type == types.native {
                native += size
                if graph.nodeNames[node] == bufferDataName { typedArrays += size }
            } else if type == types.code {
                code += size
            } else if type == types.string || type == types.consString || type == types.slicedString {
                strings += size
            } else if type == types.object && graph.nodeNames[node] == arrayName {
                jsArrays += size
                // Their elements are only looked up through edges: without them, millions of
                // array ordinals would be memory for nothing.
                if graph.hasEdgeNames { arrayNodes.append(Int32(node)) }
            }
        }
        v8heap = total - native
        system = distances == nil ? nil : systemSize
        jsArrays += elementsHeldOnlyByTheirArray(graph, arrayNodes, elementsName)
    }

    /// DevTools adds an array's `elements` store when that array is its only retainer.
    private func elementsHeldOnlyByTheirArray(_ graph: HeapGraph, _ arrays: [Int32], _ elementsName: UInt32) -> Int {
        guard graph.hasEdges, graph.hasEdgeNames, elementsName != UInt32.max, !arrays.isEmpty else { return 0 }
        var elementsOf: [Int32] = []
        for array in arrays {
            for e in graph.edges(of: Int(array))
            where Int(graph.edgeTypes[e]) == graph.types.internalEdge && graph.edgeNames[e] == elementsName {
                elementsOf.append(graph.edgeTargets[e])
                break
            }
        }
        var retainers = [UInt8](repeating: 0, count: graph.nodeCount)
        for e in 0..<graph.edgeCount {
            let v = Int(graph.edgeTargets[e])
            if retainers[v] < 2 { retainers[v] += 1 }
        }
        var size = 0
        for elements in elementsOf where retainers[Int(elements)] == 1 { size += graph.selfSize(Int(elements)) }
        return size
    }
}
