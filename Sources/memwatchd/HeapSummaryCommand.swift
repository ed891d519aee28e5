import ArgumentParser
import Foundation
import MemWatchCore

struct HeapSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Objects grouped by constructor (count, distance, shallow and retained size) and heap statistics."
    )

    @Argument(help: "A .heapsnapshot file.") var file: String
    @Flag(help: "Print JSON: {\"constructors\": [...], \"statistics\": {...}}.") var json = false
    @Option(help: "Show only the N largest constructors.") var top: Int?
    @Option(help: "Show only constructors whose name contains this text.") var filter: String?
    @Flag(name: .customLong("no-retained"),
          help: "Skip edges, distances and retained sizes: counts and shallow sizes only, fast and small.")
    var noRetained = false

    func run() throws {
        try HeapCommandSupport.run(json: json) { progress in
            var summary = try HeapSummary.compute(path: file, retainedSizes: !noRetained, progress: progress)
            if let filter { summary.constructors = summary.constructors.filter { $0.name.contains(filter) } }
            if let top { summary.constructors = Array(summary.constructors.prefix(max(top, 0))) }
            if json { return try HeapCommandSupport.printJSON(summary) }
            let rows = summary.constructors.map { c in
                [c.name, String(c.count), c.distance.map(String.init) ?? "-",
                 HumanReadable.bytes(c.shallowSize), c.retainedSize.map { HumanReadable.bytes($0) } ?? "-"]
            }
            let columns: [TextTable.Column] = [
                .left("Constructor", maxWidth: 60), .right("Count"), .right("Distance"), .right("Shallow size"), .right("Retained size"),
            ]
            print(TextTable(columns, rows: rows).text)
            let s = summary.statistics
            print("Statistics: total \(HumanReadable.bytes(s.total)), V8 heap \(HumanReadable.bytes(s.v8heap)), "
                + "native \(HumanReadable.bytes(s.native)), code \(HumanReadable.bytes(s.code)), "
                + "strings \(HumanReadable.bytes(s.strings)), JS arrays \(HumanReadable.bytes(s.jsArrays)), "
                + "typed arrays \(HumanReadable.bytes(s.typedArrays))"
                + (s.system.map { ", system \(HumanReadable.bytes($0))" } ?? ""))
        }
    }
}
