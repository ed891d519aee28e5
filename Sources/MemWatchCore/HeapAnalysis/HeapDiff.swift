import Foundation

/// One line of DevTools' Comparison view. Objects are matched by node id, which V8 keeps
/// stable for an object across snapshots of one process.
public struct HeapDiffEntry: Codable, Sendable, Equatable {
    public var name: String
    /// Objects in the new snapshot whose id the old one does not have.
    public var new: Int
    /// Objects in the old snapshot whose id the new one does not have.
    public var deleted: Int
    public var delta: Int
    public var allocatedSize: Int
    public var freedSize: Int
    public var sizeDelta: Int
    public var oldCount: Int
    public var newCount: Int

    enum CodingKeys: String, CodingKey {
        case name, new, deleted, delta, allocatedSize = "allocated_size", freedSize = "freed_size",
             sizeDelta = "size_delta", oldCount = "old_count", newCount = "new_count"
    }
}

/// DevTools' Comparison view between two snapshots of one process: per constructor, what was
/// allocated and what was freed in between, largest growth first.
public struct HeapDiffReport: Codable, Sendable {
    public var constructors: [HeapDiffEntry]

    /// Only nodes and class-name strings are read: a diff needs no edges.
    static let readOptions = HeapSnapshotReadOptions(edges: .skip, keepAllStrings: false)

    public static func compare(oldPath: String, newPath: String, progress: HeapProgress? = nil) throws -> HeapDiffReport {
        let old = try HeapSnapshotReader.read(path: oldPath, options: readOptions, progress: progress)
        let new = try HeapSnapshotReader.read(path: newPath, options: readOptions, progress: progress)
        progress?.begin(phase: "comparing")
        return HeapDiffReport(old: old, new: new)
    }

    public init(old: HeapGraph, new: HeapGraph) {
        var rows: [String: HeapDiffEntry] = [:]
        func tally(_ graph: HeapGraph, against other: HeapIDSet, isNew: Bool) {
            let classes = HeapNodeClasses(graph: graph)
            var count = [Int](repeating: 0, count: classes.count)
            var changed = [Int](repeating: 0, count: classes.count)
            var changedSize = [Int](repeating: 0, count: classes.count)
            for node in 0..<graph.nodeCount where HeapNodeClasses.isCounted(graph, node) {
                let cls = Int(classes.classOfNode[node])
                count[cls] += 1
                if !other.contains(graph.nodeIds[node]) {
                    changed[cls] += 1
                    changedSize[cls] += graph.selfSize(node)
                }
            }
            for cls in 0..<classes.count where count[cls] > 0 {
                let name = classes.names[cls]
                var row = rows[name] ?? HeapDiffEntry(name: name, new: 0, deleted: 0, delta: 0, allocatedSize: 0,
                                                     freedSize: 0, sizeDelta: 0, oldCount: 0, newCount: 0)
                if isNew {
                    row.new += changed[cls]; row.allocatedSize += changedSize[cls]; row.newCount += count[cls]
                } else {
                    row.deleted += changed[cls]; row.freedSize += changedSize[cls]; row.oldCount += count[cls]
                }
                rows[name] = row
            }
        }
        tally(new, against: HeapIDSet(ids: old.nodeIds), isNew: true)
        tally(old, against: HeapIDSet(ids: new.nodeIds), isNew: false)
        constructors = rows.values
            .map { row -> HeapDiffEntry in
                var row = row
                row.delta = row.new - row.deleted
                row.sizeDelta = row.allocatedSize - row.freedSize
                return row
            }
            .filter { $0.new != 0 || $0.deleted != 0 }
            .sorted { $0.sizeDelta != $1.sizeDelta ? $0.sizeDelta > $1.sizeDelta : $0.name < $1.name }
    }
}
