import Dispatch
import Glibc

/// Catches signals sent to memwatchd and hands them to a handler on a
/// dispatch queue, instead of letting their default action end memwatchd.
/// Dispositions are put back by ``cancel()``.
final class SignalTrap: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let previous: [(Int32, sigaction)]

    init(_ signals: [Int32], queue: DispatchQueue, handler: @escaping @Sendable (Int32) -> Void) {
        var previous: [(Int32, sigaction)] = []
        var sources: [any DispatchSourceSignal] = []
        for number in Set(signals) {
            var old = sigaction()
            sigaction(number, nil, &old)
            previous.append((number, old))
            // Dispatch needs the default action out of the way; its source still fires.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
        self.previous = previous
    }

    func cancel() {
        for source in sources { source.cancel() }
        for (number, old) in previous {
            var action = old
            sigaction(number, &action, nil)
        }
    }
}
