/// The first SIGINT or SIGTERM memwatchd received, kept for the graceful
/// shutdown that signal also began: the shutdown does not say which signal
/// (or whether one) caused it, and may be told of it before this is.
final class ReceivedStopSignal: Sendable {
    private let arrivals: AsyncStream<Int32>
    private let arrival: AsyncStream<Int32>.Continuation

    init() {
        (arrivals, arrival) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(1))
    }

    /// Keeps `signal` if it is the first; later ones are not kept.
    func record(_ signal: Int32) {
        arrival.yield(signal)
        arrival.finish()
    }

    /// The first signal, once recorded; nil when none is recorded within
    /// `wait`. For one waiter.
    func first(waitingAtMost wait: Duration) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.arrivals.first { _ in true } }
            group.addTask {
                try? await Task.sleep(for: wait)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
    }
}
