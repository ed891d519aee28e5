import Foundation

/// What grew between two snapshots of one process, for the leak's event record and alert line:
/// the top growers by size and the retaining path most of the top grower's new objects share.
public struct HeapGrowthReport: Codable, Sendable {
    public var growers: [HeapDiffEntry]
    /// Constructor whose new objects the path explains (the first grower).
    public var pathConstructor: String?
    /// Shortest retaining path shared by most new objects of `pathConstructor`.
    public var path: [String]?
    /// How many of those new objects share that path.
    public var pathCount: Int?

    enum CodingKeys: String, CodingKey {
        case growers, pathConstructor = "path_constructor", path, pathCount = "path_count"
    }

    /// One line for an alert: `Session +250 (+37.1 KB) via global → .sessionStore: Map → ...; (array) +1 (+7.0 KB)`.
    public var alertText: String {
        growers.enumerated().map { i, g in
            var text = "\(g.name) \(g.delta >= 0 ? "+" : "")\(g.delta) (+\(HumanReadable.bytes(g.sizeDelta)))"
            if i == 0, let path { text += " via " + path.joined(separator: " → ") }
            return text
        }.joined(separator: "; ")
    }

    /// Memory stays bounded by one snapshot's graph: the old snapshot is read without edges,
    /// the new one without dominators (paths come from a breadth-first search).
    public static func compute(old: URL, new: URL, limit: Int = 5, progress: HeapProgress? = nil) throws -> HeapGrowthReport {
        let oldGraph = try HeapSnapshotReader.read(path: old.path, options: HeapDiffReport.readOptions, progress: progress)
        let newGraph = try HeapSnapshotReader.read(path: new.path, progress: progress)
        progress?.begin(phase: "comparing")
        let diff = HeapDiffReport(old: oldGraph, new: newGraph)
        var report = HeapGrowthReport(growers: Array(diff.constructors.filter { $0.sizeDelta > 0 }.prefix(max(limit, 0))))
        guard let top = report.growers.first else { return report }
        let oldIDs = HeapIDSet(ids: oldGraph.nodeIds)
        let classes = HeapNodeClasses(graph: newGraph)
        var newObjects: [Int32] = []
        if let cls = classes.names.firstIndex(of: top.name) {
            for node in 0..<newGraph.nodeCount
            where Int(classes.classOfNode[node]) == cls && !oldIDs.contains(newGraph.nodeIds[node]) {
                newObjects.append(Int32(node))
            }
        }
        progress?.begin(phase: "retaining paths")
        let distances = HeapDistances(graph: newGraph, recordParents: true)
        let groups = HeapRetainingPaths(graph: newGraph, classes: classes, distances: distances)
            .groups(of: newObjects, tree: nil, retained: nil)
        if let best = groups.first {
            report.pathConstructor = top.name
            report.path = best.path
            report.pathCount = best.count
        }
        return report
    }

    init(growers: [HeapDiffEntry]) {
        self.growers = growers
    }
}

extension HeapDiffReport {
    /// The entry point for `run`: top growers between two snapshots of one process and the
    /// retaining path of the first. Synchronous: the engine runs it on its analysis worker.
    public static func topGrowers(old: URL, new: URL, limit: Int = 5) throws -> HeapGrowthReport {
        try HeapGrowthReport.compute(old: old, new: new, limit: limit)
    }
}
