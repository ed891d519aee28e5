/// Records an event and tells people about it: the one call every part of
/// memwatchd uses for "this happened".
public struct EventReporter: Sendable {
    public let store: EventStore
    public let alerts: any AlertSink

    public init(store: EventStore, alerts: any AlertSink) {
        self.store = store
        self.alerts = alerts
    }

    /// A store that fails to record is reported on the same sink; watching goes on.
    @discardableResult
    public func report(_ event: MemWatchEvent) -> MemWatchEvent {
        var recorded = event
        do {
            recorded = try store.record(event)
        } catch {
            let lost = "\(error.description); this \(event.type) event is not in the store, only in the alert below"
            alerts.emit(Alert(
                priority: .error, message: lost, event: MemWatchEvent(time: event.time, type: .alert, reason: lost)))
        }
        alerts.emit(Alert(event: recorded))
        return recorded
    }
}
