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
            Diagnostics.logger.notice("no events recorded yet (no \(state.eventStorePath))")
            if json { print("[]") }
            return
        }
        let events = try store.events(type: type.map(EventType.init(rawValue:)), pid: pid)
        if json {
            print(MemWatchEvent.jsonArray(events))
        } else {
            print(Self.table(events), terminator: "")
        }
    }

    /// The readable listing: time, type, pid, and the event's human line.
    private static func table(_ events: [MemWatchEvent]) -> String {
        guard !events.isEmpty else { return "" }
        let rows = events.map { event in
            [event.time.formatted(.iso8601), event.type.rawValue, event.pid.map(String.init) ?? "-",
             EventMessage.text(for: event)]
        }
        return TextTable([.left("TIME"), .left("TYPE"), .left("PID"), .left("EVENT")], rows: rows).text
    }
}
