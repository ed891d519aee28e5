/// Groups nodes the way DevTools' Summary view does: objects and native nodes by their
/// constructor name, everything else by category — `(closure)`, `(string)` (all string
/// representations), `(array)`, `(compiled code)`, `(system)` (hidden objects and shapes),
/// `(regexp)`, `(number)`, ...
public struct HeapNodeClasses: Sendable {
    /// Dense class id of every node.
    public let classOfNode: [Int32]
    /// Class name by class id.
    public let names: [String]

    /// Class of one node, from the per-node table when built, else from its type and name.
    @inline(__always)
    public func classOf(_ node: Int, in graph: HeapGraph) -> Int {
        if !classOfNode.isEmpty { return Int(classOfNode[node]) }
        let type = Int(graph.nodeTypes[node])
        let category = categoryOfType[type]
        return category >= 0 ? Int(category) : Int(classOfName[nameRanks.rank(Int(graph.nodeNames[node]))])
    }

    private let categoryOfType: [Int32]
    /// Class of each string that names an object or native node, by its rank among them.
    private let nameRanks: HeapNameRanks
    private let classOfName: [Int32]

    /// `perNode: false` skips the per-node table (4 bytes a node) for one-pass callers.
    public init(graph: HeapGraph, perNode: Bool = true) {
        let types = graph.types
        var names: [String] = []
        var categoryOfType = [Int32](repeating: -1, count: graph.meta.nodeTypes.count)
        var categoryByName: [String: Int32] = [:]
        for (code, typeName) in graph.meta.nodeTypes.enumerated() where code != types.object && code != types.native {
            let name = Self.categoryName(typeCode: code, typeName: typeName, types: types)
            if let existing = categoryByName[name] {
                categoryOfType[code] = existing
            } else {
                let id = Int32(names.count)
                names.append(name)
                categoryByName[name] = id
                categoryOfType[code] = id
            }
        }
        let nodeTypes = graph.nodeTypes
        let nodeNames = graph.nodeNames
        let object = types.object, native = types.native
        var nameRanks = HeapNameRanks(stringCount: graph.strings.count)
        for node in 0..<graph.nodeCount {
            let type = Int(nodeTypes[node])
            if type == object || type == native { nameRanks.insert(Int(nodeNames[node])) }
        }
        nameRanks.freeze()
        var classOfName = [Int32](repeating: -1, count: nameRanks.count)
        var classOfNode = [Int32](repeating: 0, count: perNode ? graph.nodeCount : 0)
        for node in 0..<graph.nodeCount {
            let type = Int(nodeTypes[node])
            if type == object || type == native {
                let nameIndex = Int(nodeNames[node])
                let rank = nameRanks.rank(nameIndex)
                var id = classOfName[rank]
                if id < 0 {
                    id = Int32(names.count)
                    names.append(graph.strings[nameIndex])
                    classOfName[rank] = id
                }
                if perNode { classOfNode[node] = id }
            } else if perNode {
                classOfNode[node] = categoryOfType[type]
            }
        }
        self.classOfNode = classOfNode
        self.categoryOfType = categoryOfType
        self.nameRanks = nameRanks
        self.classOfName = classOfName
        self.names = names
    }

    static func categoryName(typeCode: Int, typeName: String, types: HeapTypeCodes) -> String {
        switch typeCode {
        case types.hidden, types.objectShape: return "(system)"
        case types.string, types.consString, types.slicedString: return "(string)"
        case types.code: return "(compiled code)"
        case types.closure: return "(closure)"
        case types.array: return "(array)"
        case types.regexp: return "(regexp)"
        case types.number: return "(number)"
        default: return "(\(typeName))"
        }
    }

    public var count: Int { names.count }

    public func name(of node: Int) -> String { names[Int(classOfNode[node])] }  // needs the per-node table

    /// DevTools leaves out empty non-native nodes (the synthetic roots, for instance).
    @inline(__always)
    static func isCounted(_ graph: HeapGraph, _ node: Int) -> Bool {
        graph.nodeSelfSizes[node] != 0 || Int(graph.nodeTypes[node]) == graph.types.native
    }
}
