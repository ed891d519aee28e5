import ArgumentParser
import Foundation
import MemWatchCore

/// `memwatchd events`: what memwatchd recorded, oldest first.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show recorded events (leaks, snapshots, skipped and failed snapshots, exits), oldest first."
    )

    @OptionGroup var state: StateOptions

    @Flag(help: "Print a JSON array of event objects.")
    var json = false

    @Option(name: .customLong("type"), help: ArgumentHelp(
        "Only events of this type: \(EventType.known.map(\.rawValue).joined(separator: ", ")).", valueName: "type"))
    var type: String?

    @Option(help: "Only events of this process id.")
    var pid: Int32?

    func validate() throws {
        if let type, !EventType.known.contains(EventType(rawValue: type)) {
            throw ValidationError(
                "unknown event type '\(type)'; known types: \(EventType.known.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let state = state.resolved
        guard let store = try EventStore(readingFrom: state.eventStorePath) else {
            // Nothing recorded yet is a normal answer, not a failure.
            FileHandle.standardError.write(Data("memwatchd: no events recorded yet (no \(state.eventStorePath))\n".utf8))
            if json { print("[]") }
            return
        }
        let events = try store.events(type: type.map(EventType.init(rawValue:)), pid: pid)
        if json {
            print(MemWatchEvent.jsonArray(events))
        } else {
            print(EventTable.render(events), terminator: "")
        }
    }
}

/// The readable listing: time, type, pid, and the event's human line.
enum EventTable {
    static func render(_ events: [MemWatchEvent]) -> String {
        guard !events.isEmpty else { return "" }
        let rows = events.map { event in
            [event.time.formatted(.iso8601), event.type.rawValue, event.pid.map(String.init) ?? "-",
             EventMessage.text(for: event)]
        }
        let header = ["TIME", "TYPE", "PID", "EVENT"]
        let widths = (0..<3).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ") + "  " + row[3] + "\n"
        }.joined()
    }
}
