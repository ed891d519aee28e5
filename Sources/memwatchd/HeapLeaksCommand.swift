import ArgumentParser
import Foundation
import MemWatchCore

struct HeapLeaksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaks",
        abstract: "Objects allocated between snapshots A and B that are still alive in C, grouped by retaining path.",
        discussion: "memlab's method: A is the baseline, B is taken after the suspected action, C after it should have been undone."
    )

    @Argument(help: "Baseline snapshot (A).") var baseline: String
    @Argument(help: "Snapshot after the action (B).") var target: String
    @Argument(help: "Snapshot after the action was undone (C).") var final: String
    @Flag(help: "Print JSON: {\"groups\": [{\"constructor\", \"path\", \"count\", \"retained_size\"}]}, largest retained size first.")
    var json = false
    @Option(help: "Show only the N largest groups.") var top: Int?

    func run() throws {
        try HeapCommandSupport.run(json: json) { progress in
            var report = try HeapLeakReport.compute(baseline: baseline, target: target, final: final, progress: progress)
            if let top { report.groups = Array(report.groups.prefix(max(top, 0))) }
            if json { return try HeapCommandSupport.printJSON(report) }
            if report.groups.isEmpty { print("Nothing allocated between A and B is still alive in C.") }
            for group in report.groups {
                print("\(group.count) × \(group.constructor), retained \(HumanReadable.bytes(group.retainedSize)):")
                print("  (GC roots) → " + group.path.joined(separator: " → ") + "\n")
            }
        }
    }
}
