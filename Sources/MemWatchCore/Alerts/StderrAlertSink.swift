#if canImport(Glibc)
import Glibc
#endif

/// Alerts as `memwatchd: ...` lines on stderr, each line whole.
public struct StderrAlertSink: AlertSink {
    public var minimumPriority: Alert.Priority
    private let descriptor: Int32
    /// `\r\n` while memwatchd's terminal is in raw mode (the app runs on a
    /// pty and reads the keyboard), where a bare newline does not return the carriage.
    private let lineEnding: String

    public init(minimumPriority: Alert.Priority = .info, descriptor: Int32 = STDERR_FILENO, rawTerminal: Bool = false) {
        self.minimumPriority = minimumPriority
        self.descriptor = descriptor
        lineEnding = rawTerminal && isatty(descriptor) == 1 ? "\r\n" : "\n"
    }

    public func emit(_ alert: Alert) {
        guard alert.priority >= minimumPriority else { return }
        WholeLineWrite.write("memwatchd: " + alert.message + lineEnding, to: descriptor)
    }
}
