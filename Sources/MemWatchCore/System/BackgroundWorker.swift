import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own for blocking work (SQLite, reading snapshots), so that
/// no actor and no thread of the cooperative pool ever blocks on it. Jobs run
/// one at a time, in the order given; the caller awaits the result.
///
/// memwatchd has two: `store` for event records (milliseconds each, in
/// order), and `analysis` at the lowest CPU priority for snapshot comparisons
/// (minutes each), so that a comparison never holds up an event record.
public final class BackgroundWorker: Sendable {
    /// SQLite reads and writes of the event store.
    public static let store = BackgroundWorker(name: "memwatchd.store")
    /// Snapshot comparisons: nice 19, so the service watched keeps the CPU.
    public static let analysis = BackgroundWorker(name: "memwatchd.analysis", lowestPriority: true)

    private let name: String
    private let lowestPriority: Bool
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let queued = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    public init(name: String, lowestPriority: Bool = false) {
        self.name = name
        self.lowestPriority = lowestPriority
    }

    /// Runs `job` on the worker's thread and returns what it returns.
    public func run<Value: Sendable>(_ job: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            enqueue { continuation.resume(returning: job()) }
        }
    }

    /// Runs a throwing `job` on the worker's thread.
    public func run<Value: Sendable>(_ job: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { continuation.resume(with: Result { try job() }) }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        startIfNeeded()
        jobs.withLock { $0.append(job) }
        queued.signal()
    }

    private func startIfNeeded() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in
            if lowestPriority {
                // On Linux nice is per thread: who = 0 lowers only this one.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            }
            while true {
                queued.wait()
                let job = jobs.withLock { $0.removeFirst() }
                job()
            }
        }
        thread.name = name
        if lowestPriority { thread.qualityOfService = .background }
        // Reading a heap snapshot recurses deeper than a default thread's stack allows.
        thread.stackSize = 8 << 20
        thread.start()
    }
}
