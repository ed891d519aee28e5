import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The snapshot action: guards, the snapshot signal through the pidfd, wait for the whole
/// file, record and report. One snapshot at a time: the memory guard assumes
/// no other snapshot is being written meanwhile.
///
/// Not an actor: its file-system work (budget deletions, the directory checks)
/// and its waits run in tasks of their own, chained one after another, so
/// nothing that awaits a snapshot is held while one is written.
public final class SnapshotTaker: Sendable {
    public let snapshotDirectory: String
    public let policy: SnapshotPolicy
    public let reporter: EventReporter
    public let signaller: any ProcessSignaller
    private let now: @Sendable () -> Date
    private let budget: SnapshotBudgetEnforcer
    /// The snapshot asked for last: the next waits for it.
    private let previous = Mutex<Task<SnapshotOutcome, Never>?>(nil)

    /// `snapshotDirectory` must have passed `StateDirectory.prepareSnapshotDirectory`.
    public init(
        snapshotDirectory: String, policy: SnapshotPolicy = SnapshotPolicy(), reporter: EventReporter,
        signaller: any ProcessSignaller = PidfdSignaller(), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.snapshotDirectory = snapshotDirectory
        self.policy = policy
        self.reporter = reporter
        self.signaller = signaller
        self.now = now
        self.budget = SnapshotBudgetEnforcer(
            reporter: reporter, maxSnapshotBytes: policy.maxSnapshotBytes, directory: snapshotDirectory)
    }

    /// Takes a snapshot of `request.process` if the guards allow; records a
    /// `snapshot`, `snapshot-skipped` or `snapshot-failed` event either way.
    public func take(_ request: SnapshotRequest) async -> SnapshotOutcome {
        let task = previous.withLock { previous in
            let before = previous
            let task = Task { [self] in
                _ = await before?.value
                return await perform(request)
            }
            previous = task
            return task
        }
        return await task.value
    }

    /// The guards' inputs at this moment: the request's facts plus disk, budget and history.
    public func facts(for request: SnapshotRequest) async -> SnapshotFacts {
        let pid = request.process.pid
        let thread = request.trigger.workerThread
        let since = request.process.since
        let history = (try? await reporter.withStore { store throws(EventStoreError) in
            try store.snapshotHistory(pid: pid, thread: thread, since: since)
        }) ?? (count: 0, last: nil)
        return SnapshotFacts(
            // A worker request sends no signal, so no signal's default action is a risk.
            pid: pid, snapshotSignal: request.trigger.signal ?? SIGUSR2,
            catchesSnapshotSignal: thread != nil || request.catchesSnapshotSignal, memAvailable: request.memAvailable,
            cgroup: request.cgroup, heapUsed: request.heapUsed,
            diskFree: DiskSpace.available(at: snapshotDirectory) ?? 0, snapshotDirectory: snapshotDirectory,
            managedSnapshots: await budget.existingManagedSnapshots(),
            lastSnapshotOfProcess: request.urgent ? nil : history.last,
            snapshotsOfProcess: history.count, now: now())
    }

    private func perform(_ request: SnapshotRequest) async -> SnapshotOutcome {
        var request = request
        let process = request.process
        if process.hasExited { return await skipped(.processExited(pid: process.pid), request) }
        let victims: [ManagedSnapshot]
        switch SnapshotGuards.evaluate(await facts(for: request), policy: policy) {
        case let .skip(reason): return await skipped(reason, request)
        case let .take(deletingFirst): victims = deletingFirst
        }

        let thread = request.trigger.workerThread ?? 0
        for directory in [snapshotDirectory] + (request.appDirectory.map { [$0] } ?? []) {
            if let planted = PlantedSnapshotEntry.find(in: directory, pid: process.pid, thread: thread) {
                return await skipped(.plantedEntry(path: planted), request)
            }
        }
        // Watch before signalling so the file's creation cannot be missed.
        let watcher: SnapshotWatcher
        do {
            // The signal snapshots the main thread (id 0); a worker writes under its own id.
            watcher = try SnapshotWatcher(
                pid: process.pid, thread: thread, snapshotDirectory: snapshotDirectory, appDirectory: request.appDirectory)
        } catch {
            return await failed(error.description, .noFile, request)
        }
        let dryRun = SnapshotSkipReason.dryRun(pid: process.pid, trigger: request.trigger)
        if signaller.isDryRun {
            if let signal = request.trigger.signal { _ = signaller.send(signal, to: process) }
            return await skipped(dryRun, request)
        }
        // Room first: node starts writing as soon as it is asked.
        await budget.delete(victims, now: now())
        let start = ContinuousClock.now
        switch request.trigger {
        case let .signal(signal):
            switch signaller.send(signal, to: process) {
            case .delivered: break
            case .processExited: return await skipped(.processExited(pid: process.pid), request)
            case .simulated: return await skipped(dryRun, request)
            case let .failed(failure):
                return await failed("cannot send \(SignalName.of(signal)) to pid \(process.pid): \(failure)", .noFile, request)
            }
        case let .workerRequest(thread, reportDirectory):
            do {
                try WorkerSnapshotRequest.request(pid: process.pid, threadID: thread, reportDirectory: reportDirectory)
            } catch {
                return await failed("cannot ask worker thread \(thread) of pid \(process.pid) for a snapshot: \(error)", .noFile, request)
            }
        }

        await request.announce?()
        request.announce = nil
        switch await watcher.wait(for: process, timeout: policy.timeout(heapUsed: request.heapUsed)) {
        case let .written(path, bytes):
            let elapsed = start.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            await reporter.report(event(.snapshot, request, path: path, bytes: bytes, seconds: seconds))
            return .written(path: path, bytes: bytes, seconds: seconds)
        case let .failed(reason, partial):
            return await failed(reason, partial, request)
        }
    }

    private func skipped(_ reason: SnapshotSkipReason, _ request: SnapshotRequest) async -> SnapshotOutcome {
        await request.announce?()
        var event = event(.snapshotSkipped, request, reason: reason.description)
        event.details["skip"] = .string(reason.code)
        await reporter.report(event)
        return .skipped(reason)
    }

    private func failed(_ reason: String, _ partial: PartialSnapshotFate, _ request: SnapshotRequest) async -> SnapshotOutcome {
        await request.announce?()
        var event = event(.snapshotFailed, request, reason: "\(reason); \(partial)")
        switch partial {
        case .noFile: event.details["partial_file"] = .string("none")
        case let .deleted(path, bytes):
            event.details["partial_file"] = .string("deleted")
            event.details["partial_path"] = .string(path)
            event.details["partial_bytes"] = .int(bytes)
        case let .left(path, _):
            event.details["partial_file"] = .string("left")
            event.details["partial_path"] = .string(path)
        }
        await reporter.report(event)
        return .failed(reason: reason, partialFile: partial)
    }

    private func event(
        _ type: EventType, _ request: SnapshotRequest, reason: String? = nil,
        path: String? = nil, bytes: Int64? = nil, seconds: Double? = nil
    ) -> MemWatchEvent {
        MemWatchEvent(
            time: now(), type: type, pid: request.process.pid, isolate: request.isolate,
            thread: request.trigger.workerThread, reason: reason,
            path: path, bytes: bytes, seconds: seconds, heapUsed: request.heapUsed, rss: request.rss,
            details: request.details)
    }
}
