/// The one-line human text of an event, shared by alert sinks and the
/// `memwatchd events` table, e.g.
/// `leak in pid 4242 (isolate 0x5f1e3c0): heap floor grew 48.2 MB over 7 full GCs in 42 s`.
public enum EventMessage {
    public static func text(for event: MemWatchEvent) -> String {
        typealias H = HumanReadable
        let reason = event.reason ?? "no reason given"
        switch event.type {
        case .leak:
            return "leak in \(subject(event)): \(reason)" + note(event)
        case .snapshot:
            var figures: [String] = []
            if let bytes = event.bytes { figures.append(H.bytes(bytes)) }
            if let seconds = event.seconds { figures.append(H.seconds(seconds)) }
            let suffix = figures.isEmpty ? "" : " (\(figures.joined(separator: ", ")))"
            let worker = event.thread.map { " of worker thread \($0)" } ?? ""
            return "heap snapshot\(worker) written: \(event.path ?? "?")\(suffix)" + note(event)
        case .snapshotSkipped:
            return "heap snapshot of \(subject(event)) skipped: \(reason)"
        case .snapshotFailed:
            return "heap snapshot of \(subject(event)) failed: \(reason)"
        case .snapshotDeleted:
            let size = event.bytes.map { " (\(H.bytes($0)))" } ?? ""
            return "heap snapshot deleted: \(event.path ?? "?")\(size): \(reason)"
        case .exit:
            return "\(subject(event)) \(event.reason ?? "exited")"
        default:
            return "\(event.type) in \(subject(event)): \(reason)"
        }
    }

    static func subject(_ event: MemWatchEvent) -> String {
        var text = event.pid.map { "pid \($0)" } ?? "memwatchd"
        let qualifiers = [event.isolate.map { "isolate \($0)" }, event.thread.map { "worker thread \($0)" }]
            .compactMap { $0 }
        if !qualifiers.isEmpty { text += " (\(qualifiers.joined(separator: ", ")))" }
        return text
    }

    /// A caveat worth a person's attention, e.g. that a signal snapshot only
    /// covers the main thread when a worker's isolate leaked.
    static func note(_ event: MemWatchEvent) -> String {
        if case let .string(note)? = event.details["note"] { return "; \(note)" }
        return ""
    }
}
