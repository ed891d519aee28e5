import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writes each diagnostic as one `label: message` line on stderr, metadata
/// after it as `[key=value ...]` (the level is in the words, not a prefix).
struct DiagnosticLineHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .notice
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = label + ": " + event.message.description
        let fields = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if !fields.isEmpty {
            line += " [" + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "]"
        }
        WholeLineWrite.write(line + WholeLineWrite.lineEnding(for: STDERR_FILENO), to: STDERR_FILENO)
    }
}
