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
                 HumanReadable.bytes(c.allocatedSize), HumanReadable.bytes(c.freedSize),
                 HumanReadable.bytes(c.sizeDelta)]
            }
            let columns: [TextTable.Column] = [
                .left("Constructor", maxWidth: 60), .right("# New"), .right("# Deleted"), .right("# Delta"),
                .right("Alloc. size"), .right("Freed size"), .right("Size delta"),
            ]
            print(TextTable(columns, rows: rows).text, terminator: "")
        }
    }
}
