import Foundation
import Testing
import TestSupport
@testable import MemWatchCore

/// Hostile snapshots: every figure the file declares is checked before it sizes an allocation
/// or enters a sum, and the reader fails with an error naming file, field and place — never a
/// trap, an abort or a huge allocation.
@Suite struct HeapSnapshotHardeningTests {
    /// root → global → Map → string, and a weak edge back: 4 nodes, 4 edges.
    func base() -> SyntheticSnapshot {
        var s = SyntheticSnapshot.withRoot()
        let map = s.add("object", "Map", size: 32)
        let text = s.add("string", "text", size: 40)
        s.link(1, map, "property", "store")
        s.link(map, text, "element", "3")
        s.link(map, 1, "weak", "owner")
        return s
    }

    /// The read modes of summary (with and without edges), diff and leaks (nodes only).
    static let readModes: [HeapSnapshotReadOptions] = [
        .init(),
        .init(edges: .targetsAndNames, keepAllStrings: false, keepNodeIDs: false),
        .init(edges: .skip, keepAllStrings: false, keepNodeIDs: false),
        HeapDiffReport.readOptions,
    ]

    func refusal(_ text: String, options: HeapSnapshotReadOptions = .init()) throws -> HeapSnapshotError {
        let url = try TemporaryFiles.heapSnapshot(text)
        defer { TestRunDirectory.remove(url.path) }
        let error = try #require(throws: HeapSnapshotError.self) {
            try HeapSnapshotReader.read(path: url.path, options: options)
        }
        #expect(error.path == url.path)
        #expect(error.description.hasPrefix(url.path + ": "))
        return error
    }

    func refusal(_ snapshot: SyntheticSnapshot, options: HeapSnapshotReadOptions = .init()) throws -> HeapSnapshotError {
        try refusal(snapshot.json(), options: options)
    }

    @Test(arguments: [("node_count", 4), ("edge_count", 4), ("trace_function_count", 0)])
    func headerCountsBeyondWhatTheFileHoldsAreRefusedBeforeReserving(key: String, count: Int) throws {
        let text = base().json().replacingOccurrences(of: "\"\(key)\":\(count)", with: "\"\(key)\":100000000000")
        #expect(text != base().json())
        let error = try refusal(text)
        #expect(error.kind == .malformed)
        #expect(error.message.contains("snapshot.\(key) 100000000000 is more than a file of"), "\(error)")
        #expect(error.byteOffset != nil)
    }

    @Test(arguments: ["-4", "4.5", "\"4\"", "1e300"])
    func headerCountsThatAreNotCountsAreRefused(value: String) throws {
        let text = base().json().replacingOccurrences(of: "\"node_count\":4", with: "\"node_count\":\(value)")
        let error = try refusal(text)
        #expect(error.message.contains("snapshot.node_count is not a count"), "\(error)")
    }

    @Test(arguments: [("\"node_count\":4", "\"node_count\":3", "node_count is 3"),
                      ("\"edge_count\":4", "\"edge_count\":3", "edge_count is 3")])
    func headerCountsMustMatchTheArrays(original: String, forged: String, mention: String) throws {
        let text = base().json().replacingOccurrences(of: original, with: forged)
        #expect(text != base().json())
        let error = try refusal(text)
        #expect(error.kind == .malformed)
        #expect(error.message.contains(mention), "\(error)")
    }

    @Test func aHeaderLargerThanAnyV8WritesIsRefused() throws {
        let padding = "\"padding\":[" + Array(repeating: "0", count: 600_000).joined(separator: ",") + "],"
        let text = base().json().replacingOccurrences(of: "\"snapshot\":{", with: "\"snapshot\":{" + padding)
        let error = try refusal(text)
        #expect(error.message.contains("header smaller than 1 MB"), "\(error)")
    }

    @Test(arguments: readModes)
    func aNodeNameIndexNoFileOfThisSizeCouldHoldIsRefusedBeforeAnythingIsSizedByIt(options: HeapSnapshotReadOptions) throws {
        var s = base()
        s.nodeOverrides[2] = ["name": 4_294_967_295]
        let error = try refusal(s, options: options)
        #expect(error.kind == .malformed)
        #expect(error.message.contains("node 2 has an invalid name: 4294967295"), "\(error)")
    }

    @Test func anEdgeNamePastTheStringsIsRefused() throws {
        var s = base()
        s.edgeOverrides[1] = ["name_or_index": 40]  // the `store` property edge
        let error = try refusal(s)
        #expect(error.message.contains("edge 1 is named by string 40"), "\(error)")
    }

    @Test func elementAndHiddenEdgesHoldIndexesNotStringIndexes() throws {
        var s = base()
        s.link(2, 3, "element", "100000")
        s.link(2, 3, "hidden", "7")
        let url = try s.write()
        defer { TestRunDirectory.remove(url.path) }
        let graph = try HeapSnapshotReader.read(path: url.path)
        #expect(graph.edges(of: 2).map { graph.edgeLabel($0) } == ["[3]", "[[owner]]", "[100000]", "{7}"])
    }

    /// A raw value written in place of a node's or edge's field.
    struct Forgery: Sendable, CustomTestStringConvertible {
        var isNode: Bool
        var row: Int
        var field: String
        var value: Int
        var mention: String
        var testDescription: String { "\(isNode ? "node" : "edge") \(row) \(field) = \(value)" }

        static func node(_ row: Int, _ field: String, _ value: Int, _ mention: String) -> Forgery {
            Forgery(isNode: true, row: row, field: field, value: value, mention: mention)
        }

        static func edge(_ row: Int, _ field: String, _ value: Int, _ mention: String) -> Forgery {
            Forgery(isNode: false, row: row, field: field, value: value, mention: mention)
        }
    }

    /// Each value out of its field's range, in every read mode (diff and `--no-retained` do not
    /// keep edges but still check them).
    @Test(arguments: [
        Forgery.node(2, "type", 15, "node 2 has an invalid type: 15"),
        .node(2, "self_size", 999_999_999_999_999_999, "node 2 has an invalid self_size: 999999999999999999"),
        .node(2, "self_size", -1, "node 2 has an invalid self_size: -1"),
        .node(2, "edge_count", -1, "node 2 has an invalid edge_count: -1"),
        .node(2, "edge_count", 3, "edge counts add up to 5 but the edges array holds 4 edges"),
        .edge(2, "type", 7, "edge 2 has an invalid type: 7"),
        .edge(2, "to_node", 8, "edge 2 has an invalid to_node: 8"),
        .edge(2, "to_node", -7, "edge 2 has an invalid to_node: -7"),
        .edge(2, "to_node", 7 * 4, "an edge points to node 4 but there are 4 nodes"),
        .edge(2, "to_node", 7 * 1_000_000, "edge 2 has an invalid to_node: 7000000"),
    ], readModes)
    func outOfRangeValuesAreRefusedInEveryReadMode(forgery: Forgery, options: HeapSnapshotReadOptions) throws {
        var s = base()
        if forgery.isNode {
            s.nodeOverrides[forgery.row] = [forgery.field: forgery.value]
        } else {
            s.edgeOverrides[forgery.row] = [forgery.field: forgery.value]
        }
        let error = try refusal(s, options: options)
        #expect(error.kind == .malformed)
        #expect(error.message.contains(forgery.mention), "\(error)")
    }

    @Test(arguments: readModes)
    func selfSizesThatAddUpToMoreThanAV8HeapAreRefused(options: HeapSnapshotReadOptions) throws {
        var s = base()
        for _ in 0..<4 { s.add("native", "system / JSArrayBufferData", size: 1 << 47) }
        let error = try refusal(s, options: options)
        #expect(error.message.contains("node 5 has an invalid self_size: 140737488355328 (expected self sizes that add up"), "\(error)")
    }

    @Test func theLargestSelfSizesAV8HeapCanHoldStillRead() throws {
        var s = base()
        s.add("native", "system / JSArrayBufferData", size: (1 << 48) - 96)  // the others hold 96 bytes
        let url = try s.write()
        defer { TestRunDirectory.remove(url.path) }
        let summary = try HeapSummary.compute(path: url.path)
        #expect(summary.statistics.total == 1 << 48)
    }

    @Test func numbersWithMoreDigitsThanFit64BitsAreRefused() throws {
        let valid = base().json()
        let text = valid.replacingOccurrences(of: ",32,", with: ",99999999999999999999,")
        #expect(text != valid)
        let error = try refusal(text)
        #expect(error.message.contains("a number that fits 64 bits in nodes"), "\(error)")
        let numberStart = try #require(text.range(of: "99999999999999999999")).lowerBound
        #expect(error.byteOffset == text.utf8.distance(from: text.startIndex, to: numberStart))
    }

    @Test(arguments: ["x", "}", "{}", ",\"strings\":[]", "\0"])
    func dataAfterTheClosingBraceIsRefused(trailer: String) throws {
        let text = base().json()
        let error = try refusal(text + "\n" + trailer)
        #expect(error.kind == .malformed)
        #expect(error.byteOffset == text.utf8.count + 1)
        #expect(error.message.contains("what follows the top-level object"), "\(error)")
    }

    @Test func whitespaceAfterTheClosingBraceIsFine() throws {
        let url = try TemporaryFiles.heapSnapshot(base().json() + " \n\t\r\n")
        defer { TestRunDirectory.remove(url.path) }
        #expect(try HeapSnapshotReader.read(path: url.path).nodeCount == 4)
    }

    @Test(arguments: ["snapshot", "nodes", "edges", "strings"])
    func aRepeatedSectionIsRefused(section: String) throws {
        let text = base().json()
        let value = try #require(text.components(separatedBy: "\"\(section)\":").last)
        let repeated = String(text.dropLast()) + ",\"\(section)\":" + value
        let error = try refusal(repeated)
        #expect(error.message.contains("a second \"\(section)\" section"), "\(error)")
    }

    @Test func aCutAtAnyByteIsAnErrorNotACrash() throws {
        let bytes = Data(base().json().utf8)
        for cut in 0..<bytes.count {
            let url = try TemporaryFiles.heapSnapshot(bytes.prefix(cut))
            defer { TestRunDirectory.remove(url.path) }
            for options in Self.readModes {
                #expect(throws: HeapSnapshotError.self, "cut at \(cut)") {
                    try HeapSnapshotReader.read(path: url.path, options: options)
                }
            }
        }
    }

    @Test func everyAnalysisRefusesAHostileFileWithTheReadersError() throws {
        var s = base()
        s.nodeOverrides[2] = ["self_size": 999_999_999_999_999_999]
        let bad = try s.write()
        let good = try base().write()
        defer { TestRunDirectory.remove(bad.path); TestRunDirectory.remove(good.path) }
        let analyses: [(String, () throws -> Void)] = [
            ("summary", { _ = try HeapSummary.compute(path: bad.path) }),
            ("summary --no-retained", { _ = try HeapSummary.compute(path: bad.path, retainedSizes: false) }),
            ("diff (old)", { _ = try HeapDiffReport.compare(oldPath: bad.path, newPath: good.path) }),
            ("diff (new)", { _ = try HeapDiffReport.compare(oldPath: good.path, newPath: bad.path) }),
            ("retainers", { _ = try HeapRetainersReport.compute(path: bad.path, constructor: "Map") }),
            ("leaks", { _ = try HeapLeakReport.compute(baseline: good.path, target: bad.path, final: good.path) }),
            ("growth", { _ = try HeapGrowthReport.compute(old: good, new: bad) }),
        ]
        for (name, analysis) in analyses {
            let error = #expect(throws: HeapSnapshotError.self, "\(name)") { try analysis() }
            #expect(error?.path == bad.path, "\(name)")
            #expect(error?.message.contains("invalid self_size") == true, "\(name): \(String(describing: error))")
        }
    }

    @Test func sparseNodeIDsAreMatchedWithoutABitmapUpTo2To32() throws {
        let sparse = HeapIDSet(ids: [4_294_967_295, 7, 1])
        #expect([1, 7, 4_294_967_295].allSatisfy(sparse.contains))
        #expect(![0, 3, 4_294_967_294].contains(where: sparse.contains))
        let dense = HeapIDSet(ids: [1, 3, 7])
        #expect([1, 3, 7].allSatisfy(dense.contains))
        #expect(![0, 5, 4_294_967_295].contains(where: dense.contains))

        var old = base()
        old.nodeOverrides[2] = ["id": 4_294_967_295]
        let new = base()
        let oldURL = try old.write(), newURL = try new.write()
        defer { TestRunDirectory.remove(oldURL.path); TestRunDirectory.remove(newURL.path) }
        let diff = try HeapDiffReport.compare(oldPath: oldURL.path, newPath: newURL.path)
        #expect(diff.constructors.map(\.name) == ["Map"])
        #expect(diff.constructors.first.map { [$0.new, $0.deleted] } == [1, 1])
    }

    @Test func aValidSnapshotReadsTheSameInEveryMode() throws {
        let url = try base().write()
        defer { TestRunDirectory.remove(url.path) }
        let full = try HeapSnapshotReader.read(path: url.path)
        #expect(full.nodeTypes == [9, 3, 3, 2])
        #expect((0..<4).map(full.selfSize) == [0, 24, 32, 40])
        #expect((0..<4).map(full.name) == ["", "global", "Map", "text"])
        #expect(full.firstEdge == [0, 1, 2, 4, 4])
        #expect(full.edgeTargets == [1, 2, 3, 1])
        for options in Self.readModes {
            let graph = try HeapSnapshotReader.read(path: url.path, options: options)
            #expect(graph.nodeTypes == full.nodeTypes)
            #expect((0..<4).map(graph.selfSize) == (0..<4).map(full.selfSize))
            #expect(graph.name(2) == "Map")
            #expect(graph.edgeTargets == (options.edges == .skip ? [] : full.edgeTargets))
        }
    }
}
