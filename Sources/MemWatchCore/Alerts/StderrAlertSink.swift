#if canImport(Glibc)
import Glibc
#endif

/// Alerts as `memwatchd: ...` lines on stderr, one write per line so lines
/// from concurrent alerts never interleave.
public struct StderrAlertSink: AlertSink {
    public var minimumPriority: Alert.Priority
    private let descriptor: Int32

    public init(minimumPriority: Alert.Priority = .info, descriptor: Int32 = STDERR_FILENO) {
        self.minimumPriority = minimumPriority
        self.descriptor = descriptor
    }

    public func emit(_ alert: Alert) {
        guard alert.priority >= minimumPriority else { return }
        let line = Array(("memwatchd: " + alert.message + "\n").utf8)
        var written = 0
        while written < line.count {
            let result = line.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, line.count - written) }
            if result < 0, errno == EINTR { continue }
            if result <= 0 { return }
            written += result
        }
    }
}
