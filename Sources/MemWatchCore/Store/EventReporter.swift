/// Records an event and tells people about it: the one call every part of
/// memwatchd uses for "this happened".
///
/// SQLite calls run on the store's ``BackgroundWorker``, never on an actor or
/// the cooperative pool: a slow disk delays the record, not the watching.
public struct EventReporter: Sendable {
    public let store: EventStore
    public let alerts: any AlertSink
    public let worker: BackgroundWorker

    public init(store: EventStore, alerts: any AlertSink, worker: BackgroundWorker = .store) {
        self.store = store
        self.alerts = alerts
        self.worker = worker
    }

    /// A store that fails to record is reported on the same sink; watching goes on.
    @discardableResult
    public func report(_ event: MemWatchEvent) async -> MemWatchEvent {
        let store = store
        let outcome = await worker.run { () -> Result<MemWatchEvent, EventStoreError> in
            Result { () throws(EventStoreError) in try store.record(event) }
        }
        switch outcome {
        case .success(let recorded):
            alerts.emit(Alert(event: recorded))
            return recorded
        case .failure(let error):
            let lost = "\(error.description); this \(event.type) event is not in the store, only in the alert below"
            alerts.emit(Alert(
                priority: .error, message: lost, event: MemWatchEvent(time: event.time, type: .alert, reason: lost)))
            alerts.emit(Alert(event: event))
            return event
        }
    }

    /// A read or an update of the store, on its worker.
    public func withStore<Value: Sendable>(
        _ body: @escaping @Sendable (EventStore) throws(EventStoreError) -> Value
    ) async throws(EventStoreError) -> Value {
        let store = store
        let outcome = await worker.run { () -> Result<Value, EventStoreError> in
            Result { () throws(EventStoreError) in try body(store) }
        }
        return try outcome.get()
    }
}
