/// Something a person should hear about now, built from a recorded event so
/// every sink (stderr now, the journal later) gets the same text and fields.
public struct Alert: Sendable, Equatable {
    public enum Priority: Int, Sendable, Comparable {
        // syslog levels, which the journal sink passes on as PRIORITY=.
        case error = 3
        case warning = 4
        case notice = 5
        case info = 6

        public static func < (a: Priority, b: Priority) -> Bool { a.rawValue > b.rawValue }
    }

    public var priority: Priority
    /// The human line, without the `memwatchd: ` prefix a sink may add.
    public var message: String
    /// The structured facts behind it (pid, path, bytes, ...), for sinks that keep fields.
    public var event: MemWatchEvent

    public init(priority: Priority, message: String, event: MemWatchEvent) {
        self.priority = priority
        self.message = message
        self.event = event
    }

    public init(event: MemWatchEvent) {
        let priority: Priority = switch event.type {
        case .leak, .snapshotFailed: .warning
        case .snapshot, .snapshotSkipped, .snapshotDeleted: .notice
        default: .info
        }
        self.init(priority: priority, message: EventMessage.text(for: event), event: event)
    }

    /// The event's facts as upper-case name/value pairs, for sinks that keep
    /// fields (the journal, as `MEMWATCHD_<NAME>=value`). Absent facts are left out.
    public var fields: [(name: String, value: String)] {
        let e = event
        let pairs: [(String, String?)] = [
            ("EVENT", e.type.rawValue), ("PID", e.pid.map(String.init)), ("ISOLATE", e.isolate),
            ("DETECTOR", e.detector), ("REASON", e.reason), ("PATH", e.path), ("BYTES", e.bytes.map(String.init)),
            ("SECONDS", e.seconds.map { String($0) }), ("HEAP_USED", e.heapUsed.map(String.init)),
            ("RSS", e.rss.map(String.init)),
        ]
        return pairs.compactMap { name, value in value.map { (name, $0) } }
            + e.details.sorted { $0.key < $1.key }.map { ($0.key.uppercased(), $0.value.description) }
    }
}
