import Foundation

/// One thing memwatchd noticed or did, as the event store keeps it and
/// `memwatchd events --json` prints it (the contract in DESIGN.md: at least
/// `time`, `type`, `pid`, and `path` + `bytes` for snapshots).
public struct MemWatchEvent: Sendable, Equatable {
    /// Assigned by the store.
    public var id: Int64?
    public var time: Date
    public var type: EventType
    public var pid: Int32?
    /// The isolate as V8 prints it, e.g. `0x5f1e3c0`.
    public var isolate: String?
    /// Node's worker `threadId` when the event concerns a worker thread's own
    /// heap (0 or nil: the main thread).
    public var thread: Int?
    public var detector: String?
    public var reason: String?
    public var path: String?
    public var bytes: Int64?
    public var seconds: Double?
    public var heapUsed: Int64?
    public var rss: Int64?
    public var details: [String: EventDetail]

    public init(
        id: Int64? = nil, time: Date, type: EventType, pid: Int32? = nil, isolate: String? = nil, thread: Int? = nil,
        detector: String? = nil, reason: String? = nil, path: String? = nil, bytes: Int64? = nil,
        seconds: Double? = nil, heapUsed: Int64? = nil, rss: Int64? = nil, details: [String: EventDetail] = [:]
    ) {
        self.id = id
        self.time = time
        self.type = type
        self.pid = pid
        self.isolate = isolate
        self.thread = thread
        self.detector = detector
        self.reason = reason
        self.path = path
        self.bytes = bytes
        self.seconds = seconds
        self.heapUsed = heapUsed
        self.rss = rss
        self.details = details
    }

    /// A detector's decision, as the daemon records it.
    public static func leak(_ finding: LeakFinding, rss: Int64? = nil, time: Date) -> MemWatchEvent {
        var details: [String: EventDetail] = ["at_ms": .double(finding.atMs)]
        if let rate = finding.growthBytesPerSecond { details["growth_bytes_per_second"] = .double(rate) }
        if let limit = finding.heapLimit { details["heap_limit"] = .int(limit) }
        if let eta = finding.secondsToLimit { details["seconds_to_limit"] = .double(eta) }
        return MemWatchEvent(
            time: time, type: .leak, pid: finding.id.pid, isolate: finding.id.isolateHex,
            detector: finding.detector, reason: finding.reason, heapUsed: finding.heapUsed, rss: rss,
            details: details)
    }
}

extension MemWatchEvent {
    /// A watched process ended: `status` when it exited, `signal` when killed.
    public static func exit(pid: Int32, status: Int32?, signal: Int32?, time: Date) -> MemWatchEvent {
        var details: [String: EventDetail] = [:]
        var reason = "exited"
        if let status {
            details["status"] = .int(Int64(status))
            reason = "exited with status \(status)"
        }
        if let signal {
            details["signal"] = .int(Int64(signal))
            reason = "killed by signal \(signal)" + (strsignal(signal).map { " (\(String(cString: $0)))" } ?? "")
        }
        return MemWatchEvent(time: time, type: .exit, pid: pid, reason: reason, details: details)
    }
}

extension MemWatchEvent {
    /// One JSON object as `memwatchd events --json` prints it: keys in a fixed,
    /// readable order (`time`, `type`, `pid` first), ISO 8601 time, absent fields left out.
    public var json: String {
        var fields: [String] = []
        func add(_ key: String, _ value: (some Encodable)?) {
            guard let value, let data = try? Self.encoder.encode(value) else { return }
            fields.append("\"\(key)\": " + String(decoding: data, as: UTF8.self))
        }
        add("time", time.formatted(Self.iso8601))
        add("type", type.rawValue)
        add("pid", pid)
        add("isolate", isolate)
        add("thread", thread)
        add("detector", detector)
        add("reason", reason)
        add("path", path)
        add("bytes", bytes)
        add("seconds", seconds)
        add("heap_used", heapUsed)
        add("rss", rss)
        add("details", details.isEmpty ? nil : details)
        add("id", id)
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// A JSON array of events, one per line.
    public static func jsonArray(_ events: [MemWatchEvent]) -> String {
        events.isEmpty ? "[]" : "[\n  " + events.map(\.json).joined(separator: ",\n  ") + "\n]"
    }

    public static let iso8601 = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
