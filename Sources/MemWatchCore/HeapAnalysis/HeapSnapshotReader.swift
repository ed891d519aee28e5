/// What to keep while reading: less kept means less memory for analyses that do not need it.
public struct HeapSnapshotReadOptions: Sendable {
    public enum Edges: Sendable { case skip, targets, targetsAndNames }
    public var edges: Edges
    /// When false and `nodes` precede `strings` (V8's order), only strings that name objects
    /// are kept; the others read as "".
    public var keepAllStrings: Bool

    /// Node ids are only needed to match objects across snapshots.
    public var keepNodeIDs: Bool

    public init(edges: Edges = .targetsAndNames, keepAllStrings: Bool = true, keepNodeIDs: Bool = true) {
        self.edges = edges
        self.keepAllStrings = keepAllStrings
        self.keepNodeIDs = keepNodeIDs
    }
}

/// Streams a `.heapsnapshot` file into a `HeapGraph`: the top-level object's sections may come
/// in any order and unknown sections (`trace_tree`, `samples`, `locations`...) are skipped.
public enum HeapSnapshotReader {
    public static func read(path: String, options: HeapSnapshotReadOptions = .init(),
                            progress: HeapProgress? = nil) throws -> HeapGraph {
        try read(path: path, options: options, progress: progress, chunkSize: 8 << 20)
    }

    /// `chunkSize` is a parameter so tests can make every token straddle a chunk boundary.
    static func read(path: String, options: HeapSnapshotReadOptions, progress: HeapProgress?,
                     chunkSize: Int) throws -> HeapGraph {
        let input = try HeapSnapshotTokenizer(path: path, chunkSize: chunkSize)
        if let progress {
            progress.begin(phase: "reading")
            let total = input.fileSize
            input.onRefill = { progress.read($0, of: total) }
        }
        var state = ReadState(path: path, options: options, bounds: HeapSnapshotBounds(fileSize: input.fileSize))
        guard try input.peek() == UInt8(ascii: "{") else {
            throw HeapSnapshotError(.notASnapshot, path: path, byteOffset: input.offset,
                                    message: "expected a JSON object starting with '{' (a V8 .heapsnapshot file)")
        }
        input.pos += 1
        if try input.peek() != UInt8(ascii: "}") {
            repeat {
                input.section = "the top-level object"
                let key = try input.readKey()
                try state.readSection(key, from: input)
                input.section = "the top-level object"
            } while try input.commaOr(UInt8(ascii: "}"), "',' or '}' after section")
        } else {
            input.pos += 1
        }
        input.section = "what follows the top-level object"
        if try input.peek() != nil { throw input.failure(expected: "only whitespace") }
        return try state.finish(at: input.offset)
    }
}

private struct ReadState {
    let path: String
    let options: HeapSnapshotReadOptions
    let bounds: HeapSnapshotBounds
    var meta: HeapSnapshotMeta?
    var nodes: NodeColumnsSink?
    var edges: EdgeColumnsSink?
    var rawNodes: [Int]?
    var rawEdges: [Int]?
    var strings: HeapStringStore?
    /// A second `snapshot` or `nodes` would pair columns with a layout they were not read by.
    var sectionsSeen: Set<String> = []

    init(path: String, options: HeapSnapshotReadOptions, bounds: HeapSnapshotBounds) {
        self.path = path
        self.options = options
        self.bounds = bounds
    }

    func error(_ kind: HeapSnapshotError.Kind, _ offset: Int?, _ message: String) -> HeapSnapshotError {
        HeapSnapshotError(kind, path: path, byteOffset: offset, message: message)
    }

    mutating func readSection(_ key: String, from input: HeapSnapshotTokenizer) throws {
        input.section = "\"\(key)\""
        let at = input.offset
        switch key {
        case "snapshot", "nodes", "edges", "strings":
            guard sectionsSeen.insert(key).inserted else { throw error(.malformed, at, "a second \"\(key)\" section") }
        default:
            break
        }
        switch key {
        case "snapshot":
            let header = try input.readHeaderValue(endingBefore: at + HeapSnapshotTokenizer.headerByteLimit)
            let meta = try HeapSnapshotMeta(header: header, path: path, byteOffset: at, bounds: bounds)
            self.meta = meta
            if let raw = rawNodes { nodes = try columns(ofRawNodes: raw, meta); rawNodes = nil }
            if let raw = rawEdges { edges = try columns(ofRawEdges: raw, meta); rawEdges = nil }
        case "nodes":
            if let meta {
                var sink = nodeSink(meta, reserve: meta.nodeCount ?? 0)
                try input.readIntArray(into: &sink, "nodes")
                try check(sink)
                nodes = sink
            } else {
                var raw = RawIntSink()
                try input.readIntArray(into: &raw, "nodes")
                rawNodes = raw.values
            }
        case "edges":
            if let meta {
                var sink = edgeSink(meta, reserve: meta.edgeCount ?? 0)
                try input.readIntArray(into: &sink, "edges")
                try check(sink)
                edges = sink
            } else {
                var raw = RawIntSink()
                try input.readIntArray(into: &raw, "edges")
                rawEdges = raw.values
            }
        case "strings":
            strings = try readStrings(from: input)
        default:
            try input.skipValue()
        }
    }

    private func nodeSink(_ meta: HeapSnapshotMeta, reserve: Int) -> NodeColumnsSink {
        NodeColumnsSink(meta: meta, bounds: bounds, reserve: reserve, keepIDs: options.keepNodeIDs,
                        keepEdgeCounts: options.edges != .skip)
    }

    private func edgeSink(_ meta: HeapSnapshotMeta, reserve: Int) -> EdgeColumnsSink {
        EdgeColumnsSink(meta: meta, bounds: bounds, keep: options.edges, reserve: reserve)
    }

    private func columns(ofRawNodes raw: [Int], _ meta: HeapSnapshotMeta) throws -> NodeColumnsSink {
        var sink = nodeSink(meta, reserve: raw.count / meta.nodeFields.count)
        for value in raw { sink.put(value) }
        try check(sink)
        return sink
    }

    private func columns(ofRawEdges raw: [Int], _ meta: HeapSnapshotMeta) throws -> EdgeColumnsSink {
        var sink = edgeSink(meta, reserve: raw.count / meta.edgeFields.count)
        for value in raw { sink.put(value) }
        try check(sink)
        return sink
    }

    /// Right after the array, before anything is sized by its values (the strings kept by name).
    private func check(_ nodes: NodeColumnsSink) throws {
        if let bad = nodes.firstInvalid { throw invalid(bad, row: "node") }
    }

    private func check(_ edges: EdgeColumnsSink) throws {
        if let bad = edges.firstInvalid { throw invalid(bad, row: "edge") }
    }

    private func invalid(_ bad: HeapInvalidValue, row: String) -> HeapSnapshotError {
        error(.malformed, nil, "\(row) \(bad.row) has an invalid \(bad.field): \(bad.value) (expected \(bad.expected))")
    }

    /// Strings that name objects (class names); nil means keep them all.
    private func neededStrings() -> [Bool]? {
        guard !options.keepAllStrings, let nodes, let meta else { return nil }
        let object = meta.nodeTypes.firstIndex(of: "object") ?? -1
        let native = meta.nodeTypes.firstIndex(of: "native") ?? -1
        var needed = [Bool](repeating: false, count: nodes.maxName + 1)
        for i in 0..<nodes.types.count {
            let type = Int(nodes.types[i])
            if type == object || type == native { needed[Int(nodes.names[i])] = true }
        }
        return needed
    }

    /// Strings the analyses look up by content (statistics, DevTools' distance rules), kept
    /// even when only class names are.
    static let namesAnalysesLookUp: Set<[UInt8]> = Set(["Array", "elements", "system / NativeContext",
        "sloppy_function_map", "(map descriptors)", "system / JSArrayBufferData"].map { Array($0.utf8) })

    /// Whether some name the analyses look up has this many bytes: most strings are ruled out
    /// by their length alone, without hashing them.
    static let lookedUpLengths: [Bool] = {
        var lengths = [Bool](repeating: false, count: (namesAnalysesLookUp.map(\.count).max() ?? 0) + 1)
        for name in namesAnalysesLookUp { lengths[name.count] = true }
        return lengths
    }()

    static func isLookedUp(_ name: [UInt8]) -> Bool {
        name.count < lookedUpLengths.count && lookedUpLengths[name.count] && namesAnalysesLookUp.contains(name)
    }

    private func readStrings(from input: HeapSnapshotTokenizer) throws -> HeapStringStore {
        let needed = neededStrings()
        var store = HeapStringStore()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        try input.expect(UInt8(ascii: "["), "'[' starting strings")
        if try input.peek() == UInt8(ascii: "]") { input.pos += 1; return store }
        repeat {
            buffer.removeAll(keepingCapacity: true)
            try input.readString(appendingTo: &buffer)
            let index = store.count
            if let needed, index >= needed.count || !needed[index], !Self.isLookedUp(buffer) {
                store.appendEmpty()
            } else {
                guard store.canAppend(buffer.count) else {
                    throw error(.unsupportedFormat, input.offset, "the strings table holds more than 4 GB")
                }
                store.append(buffer)
            }
        } while try input.commaOr(UInt8(ascii: "]"), "',' or ']' in strings")
        return store
    }

    mutating func finish(at offset: Int) throws -> HeapGraph {
        guard let meta else {
            throw error(.notASnapshot, nil, "no \"snapshot\" section with meta (expected sections snapshot, nodes, edges, strings)")
        }
        guard var nodes else { throw error(.notASnapshot, nil, "no \"nodes\" section") }
        guard let edges else { throw error(.notASnapshot, nil, "no \"edges\" section") }
        guard let strings else { throw error(.notASnapshot, nil, "no \"strings\" section") }
        // The graph takes the only copy of the columns (no copy on write of the edge counts).
        self.nodes = nil
        self.edges = nil
        guard nodes.isAtRowBoundary else {
            throw error(.malformed, nil, "the nodes array length is not a multiple of \(meta.nodeFields.count) node fields")
        }
        guard edges.isAtRowBoundary else {
            throw error(.malformed, nil, "the edges array length is not a multiple of \(meta.edgeFields.count) edge fields")
        }
        let nodeCount = nodes.rowCount, edgeCount = edges.rowCount
        if let declared = meta.nodeCount, declared != nodeCount {
            throw error(.malformed, nil, "snapshot.node_count is \(declared) but the nodes array holds \(nodeCount) nodes")
        }
        if let declared = meta.edgeCount, declared != edgeCount {
            throw error(.malformed, nil, "snapshot.edge_count is \(declared) but the edges array holds \(edgeCount) edges")
        }
        // The dominator tree numbers nodes and edges in Int32 arrays.
        guard nodeCount + edgeCount <= Int(Int32.max) else {
            throw error(.unsupportedFormat, nil, "more than 2^31 nodes and edges")
        }
        guard meta.rootIndex < nodeCount else {
            throw error(.malformed, nil, "root_index \(meta.rootIndex) is beyond the \(nodeCount) nodes")
        }
        guard nodes.maxName < strings.count else {
            throw error(.malformed, nil, "a node name refers to string \(nodes.maxName) but strings has \(strings.count) entries")
        }
        guard edges.maxTarget < nodeCount else {
            throw error(.malformed, nil, "an edge points to node \(edges.maxTarget) but there are \(nodeCount) nodes")
        }
        guard nodes.edgeCountTotal == edgeCount else {
            throw error(.malformed, nil, "the nodes' edge counts add up to \(nodes.edgeCountTotal) but the edges array holds \(edgeCount) edges")
        }
        if let edge = edges.firstNameOutside(stringCount: strings.count, meta: meta) {
            throw error(.malformed, nil, "edge \(edge) is named by string \(edges.names[edge]) but strings has \(strings.count) entries")
        }

        var graph = HeapGraph(meta: meta)
        graph.strings = strings
        graph.nodeTypes = nodes.types
        graph.nodeNames = nodes.names
        graph.nodeIds = nodes.ids
        graph.nodeSelfSizes = nodes.selfSizes
        graph.largeSelfSizes = nodes.largeSelfSizes
        if options.edges != .skip {
            // Turn the edge counts into prefix sums in place; none exceeds the total checked above.
            nodes.edgeCounts.withUnsafeMutableBufferPointer { counts in
                var total: Int32 = 0
                for i in counts.indices {
                    let count = counts[i]
                    counts[i] = total
                    total &+= count
                }
            }
            nodes.edgeCounts.append(Int32(edgeCount))
            graph.firstEdge = nodes.edgeCounts
            graph.edgeTypes = edges.types
            graph.edgeNames = edges.names
            graph.edgeTargets = edges.targets
        }
        return graph
    }
}
