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
        var state = ReadState(path: path, options: options)
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
        return try state.finish(at: input.offset)
    }
}

private struct ReadState {
    let path: String
    let options: HeapSnapshotReadOptions
    var meta: HeapSnapshotMeta?
    var nodes: NodeColumnsSink?
    var edges: EdgeColumnsSink?
    var edgesSeen = false
    var rawNodes: [Int]?
    var rawEdges: [Int]?
    var strings: HeapStringStore?

    init(path: String, options: HeapSnapshotReadOptions) {
        self.path = path
        self.options = options
    }

    func error(_ kind: HeapSnapshotError.Kind, _ offset: Int?, _ message: String) -> HeapSnapshotError {
        HeapSnapshotError(kind, path: path, byteOffset: offset, message: message)
    }

    mutating func readSection(_ key: String, from input: HeapSnapshotTokenizer) throws {
        input.section = "\"\(key)\""
        switch key {
        case "snapshot":
            let at = input.offset
            let header = try input.readHeaderValue()
            let meta = try HeapSnapshotMeta(header: header, path: path, byteOffset: at)
            self.meta = meta
            if let raw = rawNodes { nodes = try columns(ofRawNodes: raw, meta); rawNodes = nil }
            if let raw = rawEdges { edges = columns(ofRawEdges: raw, meta); rawEdges = nil }
        case "nodes":
            if let meta {
                var sink = NodeColumnsSink(meta: meta, reserve: meta.nodeCount ?? 0,
                                           keepIDs: options.keepNodeIDs, keepEdgeCounts: options.edges != .skip)
                try input.readIntArray(into: &sink, "nodes")
                nodes = sink
            } else {
                var raw = RawIntSink()
                try input.readIntArray(into: &raw, "nodes")
                rawNodes = raw.values
            }
        case "edges":
            edgesSeen = true
            if options.edges == .skip {
                try input.skipNumberArray("edges")
            } else if let meta {
                var sink = EdgeColumnsSink(meta: meta, keepNames: options.edges == .targetsAndNames,
                                           reserve: meta.edgeCount ?? 0)
                try input.readIntArray(into: &sink, "edges")
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

    private func columns(ofRawNodes raw: [Int], _ meta: HeapSnapshotMeta) throws -> NodeColumnsSink {
        var sink = NodeColumnsSink(meta: meta, reserve: raw.count / meta.nodeFields.count,
                                   keepIDs: options.keepNodeIDs, keepEdgeCounts: options.edges != .skip)
        for value in raw { sink.put(value) }
        return sink
    }

    private func columns(ofRawEdges raw: [Int], _ meta: HeapSnapshotMeta) -> EdgeColumnsSink {
        var sink = EdgeColumnsSink(meta: meta, keepNames: options.edges == .targetsAndNames,
                                   reserve: raw.count / meta.edgeFields.count)
        for value in raw { sink.put(value) }
        return sink
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
            if let needed, index >= needed.count || !needed[index], !Self.namesAnalysesLookUp.contains(buffer) {
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
        guard edgesSeen else { throw error(.notASnapshot, nil, "no \"edges\" section") }
        guard let strings else { throw error(.notASnapshot, nil, "no \"strings\" section") }
        guard nodes.isAtRowBoundary else {
            throw error(.malformed, nil, "the nodes array length is not a multiple of \(meta.nodeFields.count) node fields")
        }
        if let bad = nodes.firstInvalid {
            throw error(.malformed, nil, "node \(bad.node) has an invalid \(bad.field): \(bad.value)")
        }
        let nodeCount = nodes.types.count
        guard nodeCount < Int(Int32.max) else { throw error(.unsupportedFormat, nil, "more than 2^31 nodes") }
        guard meta.rootIndex < nodeCount else {
            throw error(.malformed, nil, "root_index \(meta.rootIndex) is beyond the \(nodeCount) nodes")
        }
        guard nodes.maxName < strings.count else {
            throw error(.malformed, nil, "a node name refers to string \(nodes.maxName) but strings has \(strings.count) entries")
        }

        var graph = HeapGraph(meta: meta)
        graph.strings = strings
        graph.nodeTypes = nodes.types
        graph.nodeNames = nodes.names
        graph.nodeIds = nodes.ids
        graph.nodeSelfSizes = nodes.selfSizes
        graph.largeSelfSizes = nodes.largeSelfSizes

        if var edges {
            guard edges.isAtRowBoundary else {
                throw error(.malformed, nil, "the edges array length is not a multiple of \(meta.edgeFields.count) edge fields")
            }
            if let bad = edges.firstInvalid {
                throw error(.malformed, nil, "edge \(bad.edge) has an invalid \(bad.field): \(bad.value)")
            }
            guard edges.maxTarget < nodeCount else {
                throw error(.malformed, nil, "an edge points to node \(edges.maxTarget) but there are \(nodeCount) nodes")
            }
            // Turn the edge counts into prefix sums in place.
            var total = 0
            for i in 0..<nodeCount {
                let count = Int(nodes.edgeCounts[i])
                nodes.edgeCounts[i] = Int32(truncatingIfNeeded: total)
                total += count
                if total > Int(Int32.max) { throw error(.unsupportedFormat, nil, "more than 2^31 edges") }
            }
            nodes.edgeCounts.append(Int32(total))
            guard total == edges.targets.count else {
                throw error(.malformed, nil, "the nodes' edge counts add up to \(total) but the edges array holds \(edges.targets.count) edges")
            }
            graph.firstEdge = nodes.edgeCounts
            graph.edgeTypes = edges.types
            graph.edgeNames = edges.names
            graph.edgeTargets = edges.targets
            edges = EdgeColumnsSink(meta: meta, keepNames: false, reserve: 0)
        }
        return graph
    }
}
