import ArgumentParser
import Foundation
import MemWatchCore

struct HeapDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What was allocated and freed between two snapshots of one process, by constructor."
    )

    @Argument(help: "The older .heapsnapshot.") var old: String
    @Argument(help: "The newer .heapsnapshot of the same process.") var new: String
    @Flag(help: "Print JSON: {\"constructors\": [...]} sorted by size_delta, largest growth first.") var json = false
    @Option(help: "Show only the first N constructors.") var top: Int?

    func run() throws {
        try HeapCommandSupport.run(json: json) { progress in
            var report = try HeapDiffReport.compare(oldPath: old, newPath: new, progress: progress)
            if let top { report.constructors = Array(report.constructors.prefix(max(top, 0))) }
            if json { return try HeapCommandSupport.printJSON(report) }
            let rows = report.constructors.map { c in
                [c.name, String(c.new), String(c.deleted), String(c.delta),
                 HeapCommandSupport.bytes(c.allocatedSize), HeapCommandSupport.bytes(c.freedSize),
                 HeapCommandSupport.bytes(c.sizeDelta)]
            }
            print(HeapCommandSupport.table(["Constructor", "# New", "# Deleted", "# Delta", "Alloc. size", "Freed size", "Size delta"], rows), terminator: "")
        }
    }
}
