import ArgumentParser
import Foundation
import MemWatchCore

struct HeapRetainersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retainers",
        abstract: "Shortest retaining paths from the GC roots to a constructor's objects, grouped by shape."
    )

    @Argument(help: "A .heapsnapshot file.") var file: String
    @Option(help: "The constructor (or category such as \"(closure)\") to explain.") var constructor: String
    @Flag(help: "Print JSON: {\"constructor\", \"count\", \"paths\": [{\"path\", \"count\", \"retained_size\"}]}.") var json = false
    @Option(help: "Show only the N largest path groups.") var top: Int = 10

    func run() throws {
        try HeapCommandSupport.run(json: json) { progress in
            var report = try HeapRetainersReport.compute(path: file, constructor: constructor, progress: progress)
            report.paths = Array(report.paths.prefix(max(top, 0)))
            if json { return try HeapCommandSupport.printJSON(report) }
            guard report.count > 0 else {
                print("No objects of constructor \(constructor) in \(file).")
                return
            }
            print("\(report.count) objects of \(constructor); shortest retaining paths:")
            for group in report.paths {
                print("\n\(group.count) objects, retained \(HumanReadable.bytes(group.retainedSize)):")
                print("  (GC roots) → " + group.path.joined(separator: " → "))
            }
        }
    }
}
