import Foundation
import Testing
import TestSupport
@testable import MemWatchCore

/// Writes small `.heapsnapshot` files by hand, in V8's layout or a shuffled one.
struct SyntheticSnapshot {
    struct Node { var type: String; var name: String; var id: Int; var size: Int }
    struct Edge { var type: String; var name: String; var to: Int }

    var nodeTypes = ["hidden", "array", "string", "object", "code", "closure", "regexp", "number", "native",
                     "synthetic", "concatenated string", "sliced string", "symbol", "bigint", "object shape"]
    var edgeTypes = ["context", "element", "property", "internal", "hidden", "shortcut", "weak"]
    /// V8's node fields; tests reorder them to prove offsets come from meta.
    var nodeFields = ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"]
    var edgeFields = ["type", "name_or_index", "to_node"]
    var nodes: [Node] = []
    var edges: [[Edge]] = []
    /// Raw values written instead of the real ones, by node (or edge) ordinal and field name,
    /// to forge hostile files.
    var nodeOverrides: [Int: [String: Int]] = [:]
    var edgeOverrides: [Int: [String: Int]] = [:]

    /// A root (synthetic) with a shortcut to a `global` object, as Node writes it.
    static func withRoot() -> SyntheticSnapshot {
        var s = SyntheticSnapshot()
        _ = s.add("synthetic", "", size: 0)
        let global = s.add("object", "global", size: 24)
        s.link(0, global, "shortcut", "global")
        return s
    }

    @discardableResult
    mutating func add(_ type: String, _ name: String, size: Int) -> Int {
        nodes.append(Node(type: type, name: name, id: nodes.count * 2 + 1, size: size))
        edges.append([])
        return nodes.count - 1
    }

    mutating func link(_ from: Int, _ to: Int, _ type: String = "property", _ name: String = "p") {
        edges[from].append(Edge(type: type, name: name, to: to))
    }

    func json(order: [String] = ["snapshot", "nodes", "edges", "strings"], extraSections: Bool = true) -> String {
        var strings: [String] = []
        var stringIndex: [String: Int] = [:]
        func intern(_ s: String) -> Int {
            if let i = stringIndex[s] { return i }
            strings.append(s)
            stringIndex[s] = strings.count - 1
            return strings.count - 1
        }
        var nodeValues: [String] = []
        for (i, node) in nodes.enumerated() {
            let row = nodeFields.map { field -> Int in
                switch field {
                case "type": return nodeTypes.firstIndex(of: node.type)!
                case "name": return intern(node.name)
                case "id": return node.id
                case "self_size": return node.size
                case "edge_count": return edges[i].count
                default: return 0
                }
            }.enumerated().map { nodeOverrides[i]?[nodeFields[$0.offset]] ?? $0.element }
            nodeValues.append(row.map(String.init).joined(separator: ","))
        }
        var edgeValues: [String] = []
        for list in edges {
            for edge in list {
                let numeric = edge.type == "element" || edge.type == "hidden"
                let row = edgeFields.map { field -> Int in
                    switch field {
                    case "type": return edgeTypes.firstIndex(of: edge.type)!
                    case "name_or_index": return numeric ? Int(edge.name) ?? 0 : intern(edge.name)
                    default: return edge.to * nodeFields.count
                    }
                }.enumerated().map { edgeOverrides[edgeValues.count]?[edgeFields[$0.offset]] ?? $0.element }
                edgeValues.append(row.map(String.init).joined(separator: ","))
            }
        }
        func list(_ a: [String]) -> String { "[" + a.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
        let meta = """
        {"node_fields":\(list(nodeFields)),"node_types":[\(list(nodeTypes)),"string","number","number","number","number","number"],\
        "edge_fields":\(list(edgeFields)),"edge_types":[\(list(edgeTypes)),"string_or_number","node"],\
        "location_fields":["object_index","script_id","line","column"]}
        """
        let encodedStrings = strings.map { s -> String in
            let data = try! JSONEncoder().encode(s)
            return String(decoding: data, as: UTF8.self)
        }
        var sections: [String: String] = [
            "snapshot": "{\"meta\":\(meta),\"node_count\":\(nodes.count),\"edge_count\":\(edgeValues.count),\"trace_function_count\":0}",
            "nodes": "[" + nodeValues.joined(separator: "\n,") + "]",
            "edges": "[" + edgeValues.joined(separator: "\n,") + "]",
            "strings": "[" + encodedStrings.joined(separator: ",\n") + "]",
        ]
        var keys = order
        if extraSections {
            sections["trace_function_infos"] = "[]"
            sections["trace_tree"] = "[1,2,[3,[{\"x\":\"]}\"}]]]"
            sections["samples"] = "[]"
            sections["locations"] = "[1,2,3,4]"
            keys.insert(contentsOf: ["trace_function_infos", "trace_tree"], at: min(2, keys.count))
            keys.append(contentsOf: ["samples", "locations"])
        }
        return "{" + keys.map { "\"\($0)\":\(sections[$0]!)" }.joined(separator: ",\n") + "}"
    }

    func write(order: [String] = ["snapshot", "nodes", "edges", "strings"]) throws -> URL {
        try TemporaryFiles.heapSnapshot(json(order: order))
    }
}

@Suite struct HeapSnapshotReaderTests {
    func sample() -> SyntheticSnapshot {
        var s = SyntheticSnapshot.withRoot()
        let map = s.add("object", "Map", size: 32)
        let name = s.add("string", "caf\u{E9} \u{1F600} \"quoted\"\n", size: 40)
        s.link(1, map, "property", "store")
        s.link(map, name, "element", "3")
        s.link(map, 1, "weak", "owner")
        return s
    }

    @Test func readsLayoutFromMetaStringsWithEscapesAndExtraSections() throws {
        let url = try sample().write()
        defer { TestRunDirectory.remove(url.path) }
        let graph = try HeapSnapshotReader.read(path: url.path)
        #expect(graph.nodeCount == 4)
        #expect(graph.edgeCount == 4)
        #expect(graph.name(2) == "Map")
        #expect(graph.name(3) == "caf\u{E9} \u{1F600} \"quoted\"\n")
        #expect(graph.typeName(3) == "string")
        #expect(graph.selfSize(2) == 32)
        #expect(graph.nodeIds[3] == 7)
        #expect(graph.edges(of: 2).map { graph.edgeLabel($0) } == ["[3]", "[[owner]]"])
        #expect(graph.edgeTargets[Int(graph.firstEdge[1])] == 2)
    }

    @Test func decodesEscapesAndSurrogatePairsWrittenAsUnicodeEscapes() throws {
        var s = SyntheticSnapshot.withRoot()
        s.add("string", "PLACEHOLDER", size: 8)
        let text = s.json().replacingOccurrences(of: "\"PLACEHOLDER\"", with: #""a\u00e9\ud83d\ude00\/\t\u0041\ud800x""#)
        let url = try TemporaryFiles.heapSnapshot(text)
        defer { TestRunDirectory.remove(url.path) }
        let graph = try HeapSnapshotReader.read(path: url.path)
        #expect(graph.name(2) == "a\u{E9}\u{1F600}/\tA\u{FFFD}x")
    }

    @Test(arguments: [
        ["strings", "edges", "nodes", "snapshot"],
        ["nodes", "snapshot", "strings", "edges"],
        ["edges", "strings", "snapshot", "nodes"],
    ])
    func sectionsInAnyOrder(order: [String]) throws {
        let url = try sample().write(order: order)
        defer { TestRunDirectory.remove(url.path) }
        let graph = try HeapSnapshotReader.read(path: url.path)
        #expect(graph.nodeCount == 4)
        #expect(graph.name(2) == "Map")
        #expect(graph.edges(of: 2).map { graph.edgeLabel($0) } == ["[3]", "[[owner]]"])
    }

    @Test func fieldOrderComesFromMeta() throws {
        var s = sample()
        s.nodeFields = ["edge_count", "self_size", "id", "name", "type"]
        s.edgeFields = ["to_node", "type", "name_or_index"]
        s.nodeTypes.swapAt(0, 3)
        let url = try s.write()
        defer { TestRunDirectory.remove(url.path) }
        let graph = try HeapSnapshotReader.read(path: url.path)
        #expect(graph.name(2) == "Map")
        #expect(graph.typeName(2) == "object")
        #expect(graph.selfSize(2) == 32)
        #expect(graph.edgeTargets[Int(graph.firstEdge[2])] == 3)
    }

    @Test func tinyChunksGiveTheSameGraph() throws {
        var s = sample()
        for i in 0..<300 { s.link(s.add("object", "Item\(i % 5)", size: 1_000_000 + i), 2, "property", "next") }
        let url = try s.write()
        defer { TestRunDirectory.remove(url.path) }
        let whole = try HeapSnapshotReader.read(path: url.path)
        for chunk in [128, 131, 200] {
            let small = try HeapSnapshotReader.read(path: url.path, options: .init(), progress: nil, chunkSize: chunk)
            #expect(small.nodeTypes == whole.nodeTypes)
            #expect(small.nodeNames == whole.nodeNames)
            #expect(small.nodeIds == whole.nodeIds)
            #expect(small.edgeTargets == whole.edgeTargets)
            #expect(small.edgeNames == whole.edgeNames)
            #expect((0..<small.nodeCount).map(small.selfSize) == (0..<whole.nodeCount).map(whole.selfSize))
            #expect((0..<small.nodeCount).map(small.name) == (0..<whole.nodeCount).map(whole.name))
        }
    }

    /// Every length of number, each side of a chunk boundary.
    @Test func numbersOfEveryLengthReadExactly() throws {
        var s = sample()
        var sizes: [Int] = []
        var power = 1
        for _ in 0..<14 {  // up to 7 * 10^13 + 3: all of them add up to less than 2^48
            sizes += [power, power - 1, power * 7 + 3]
            power *= 10
        }
        sizes += [HeapSnapshotBounds.maxHeapBytes / 4, 12_345_678, 123_456_789, 100_000_000]
        for size in sizes { s.add("native", "n", size: size) }
        let url = try s.write()
        defer { TestRunDirectory.remove(url.path) }
        for chunk in [8 << 20, 128, 131, 137] {
            let graph = try HeapSnapshotReader.read(path: url.path, options: .init(), progress: nil, chunkSize: chunk)
            #expect((4..<graph.nodeCount).map(graph.selfSize) == sizes, "chunk \(chunk)")
            let ids: [UInt32] = (4..<graph.nodeCount).map { UInt32($0 * 2 + 1) }
            #expect(Array(graph.nodeIds.dropFirst(4)) == ids)
        }
    }

    @Test func truncatedFileNamesWhereItStopped() throws {
        let bytes = Data(sample().json().utf8)
        for cut in [bytes.count / 4, bytes.count / 2, bytes.count - 3] {
            let url = try TemporaryFiles.heapSnapshot(bytes.prefix(cut))
            defer { TestRunDirectory.remove(url.path) }
            let error = try #require(throws: HeapSnapshotError.self) { try HeapSnapshotReader.read(path: url.path) }
            #expect(error.kind == .truncated)
            #expect(error.byteOffset == cut)
            #expect(error.description.contains("expected"))
        }
    }

    @Test func nonSnapshotFilesAreRefused() throws {
        let cases: [(String, HeapSnapshotError.Kind, String)] = [
            ("hello world\n", .notASnapshot, "'{'"),
            ("", .notASnapshot, "'{'"),
            ("{\"name\": \"package\", \"version\": \"1.0.0\"}", .notASnapshot, "\"snapshot\""),
            ("[1, 2, 3]", .notASnapshot, "'{'"),
        ]
        for (text, kind, mention) in cases {
            let url = try TemporaryFiles.heapSnapshot(text)
            defer { TestRunDirectory.remove(url.path) }
            let error = try #require(throws: HeapSnapshotError.self) { try HeapSnapshotReader.read(path: url.path) }
            #expect(error.kind == kind, "\(text)")
            #expect(error.description.contains(mention), "\(error)")
        }
    }

    @Test func missingMetaFieldIsUnsupported() throws {
        var s = sample()
        s.nodeFields = ["type", "name", "id", "edge_count"]
        let url = try s.write()
        defer { TestRunDirectory.remove(url.path) }
        let error = try #require(throws: HeapSnapshotError.self) { try HeapSnapshotReader.read(path: url.path) }
        #expect(error.kind == .unsupportedFormat)
        #expect(error.description.contains("self_size"))
    }

    @Test func edgeCountMismatchIsMalformed() throws {
        let text = sample().json().replacingOccurrences(of: "\"edges\":[", with: "\"edges\":[2,0,7,")
        let url = try TemporaryFiles.heapSnapshot(text)
        defer { TestRunDirectory.remove(url.path) }
        let error = try #require(throws: HeapSnapshotError.self) { try HeapSnapshotReader.read(path: url.path) }
        #expect(error.kind == .malformed)
    }

    @Test func missingFileIsReported() {
        let error = #expect(throws: HeapSnapshotError.self) {
            try HeapSnapshotReader.read(path: "/nonexistent/x.heapsnapshot")
        }
        #expect(error?.kind == .cannotOpen)
    }
}
