import Foundation

extension GCTraceFileScanner {
    /// `scan`, with reading and parsing on a thread of its own: the caller
    /// gets the records in batches and spends its time on them (analyze's
    /// detectors) while the next batch is parsed, so each stage has a core.
    /// Memory stays bounded: at most `depth` batches wait.
    public static func scanInBackground(
        fileDescriptor: Int32, batchSize: Int = 4096, depth: Int = 4,
        onRecords: ([GCTraceRecord]) throws -> Void
    ) throws -> Summary {
        let handoff = RecordHandoff(depth: depth)
        let done = DispatchSemaphore(value: 0)
        let result = ScanResult()
        let thread = Thread {
            defer { done.signal() }
            do {
                var batch: [GCTraceRecord] = []
                batch.reserveCapacity(batchSize)
                result.summary = try scan(fileDescriptor: fileDescriptor) { record in
                    batch.append(record)
                    guard batch.count == batchSize else { return }
                    guard handoff.put(batch) else { throw CancellationError() }
                    batch.removeAll(keepingCapacity: true)
                }
                _ = handoff.put(batch)
            } catch {
                result.failure = error
            }
            handoff.finish()
        }
        thread.stackSize = 1 << 20
        thread.start()

        var consumerFailure: Error?
        while let batch = handoff.take() {
            do {
                try onRecords(batch)
            } catch {
                consumerFailure = error
                handoff.cancel()
                break
            }
        }
        done.wait()
        if let consumerFailure { throw consumerFailure }
        if let failure = result.failure { throw failure }
        return result.summary
    }
}

/// What the scanning thread hands back once it is done (read only after
/// the semaphore, so no lock is needed).
private final class ScanResult: @unchecked Sendable {
    var summary = GCTraceFileScanner.Summary()
    var failure: Error?
}

/// A bounded queue of record batches between the scanning thread and the caller.
private final class RecordHandoff: @unchecked Sendable {
    private let condition = NSCondition()
    private let depth: Int
    private var batches: [[GCTraceRecord]] = []
    private var finished = false
    private var cancelled = false

    init(depth: Int) { self.depth = depth }

    /// Waits for room; false once the consumer has given up.
    func put(_ batch: [GCTraceRecord]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= depth && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    /// The next batch, or nil once the scan finished and all were taken.
    func take() -> [GCTraceRecord]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        guard !batches.isEmpty else { return nil }
        condition.broadcast()
        return batches.removeFirst()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
