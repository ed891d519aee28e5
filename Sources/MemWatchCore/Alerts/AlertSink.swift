/// Where alerts go. Sinks must not throw or block for long: an alert that
/// cannot be delivered must never stop the watching.
public protocol AlertSink: Sendable {
    func emit(_ alert: Alert)
}

/// Sends every alert to each of several sinks (e.g. stderr and the journal).
public struct AlertSinks: AlertSink {
    public var sinks: [any AlertSink]

    public init(_ sinks: [any AlertSink]) { self.sinks = sinks }

    public func emit(_ alert: Alert) {
        for sink in sinks { sink.emit(alert) }
    }
}
