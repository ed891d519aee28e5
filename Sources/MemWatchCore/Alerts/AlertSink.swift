/// Where alerts go. Sinks must not throw or block for long: an alert that
/// cannot be delivered must never stop the watching.
public protocol AlertSink: Sendable {
    func emit(_ alert: Alert)
}
