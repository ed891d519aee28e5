import Foundation

/// What memwatchd does about what the detectors found, decided from the
/// alert, what it knows of the process and the time: no I/O here, so every
/// decision is unit-tested. ``ResponseExecutor`` carries the actions out.
public struct ResponsePolicy: Sendable {
    /// Snapshots asked of one process at most (the taker's guards count them too).
    public var maxSnapshotsPerProcess: Int
    /// Seconds between two routine snapshots of one process.
    public var cooldown: TimeInterval
    /// A follow-up snapshot once the heap after a full GC is this many times
    /// the heap at the last one: enough growth for the pair's difference to
    /// name what grows.
    public var followUpGrowth = 1.2
    /// The signal node snapshots on, named in the worker-thread note.
    public var snapshotSignal: Int32

    public init(maxSnapshotsPerProcess: Int, cooldown: TimeInterval, snapshotSignal: Int32) {
        self.maxSnapshotsPerProcess = maxSnapshotsPerProcess
        self.cooldown = cooldown
        self.snapshotSignal = snapshotSignal
    }

    public init(snapshots: SnapshotPolicy, snapshotSignal: Int32) {
        self.init(
            maxSnapshotsPerProcess: snapshots.maxSnapshotsPerProcess, cooldown: snapshots.cooldown,
            snapshotSignal: snapshotSignal)
    }

    /// What the policy reads of a watched process.
    public struct ProcessFacts: Sendable {
        public var pid: Int32
        /// The first isolate that traced: the main thread's.
        public var mainIsolate: UInt64
        public var rss: Int64?
        /// Snapshots asked for so far: when, and the heap then.
        public var snapshotRequests: [(time: Date, heapUsed: Int64)]

        public init(pid: Int32, mainIsolate: UInt64, rss: Int64? = nil, snapshotRequests: [(time: Date, heapUsed: Int64)] = []) {
            self.pid = pid
            self.mainIsolate = mainIsolate
            self.rss = rss
            self.snapshotRequests = snapshotRequests
        }
    }

    /// A detector's alert: its event, recorded right after the snapshot's
    /// signal (or at once when the process is no longer held).
    public func respond(to alert: WatchAlert, of process: ProcessFacts?, now: Date) -> [ResponseAction] {
        switch alert {
        case .leak(let finding):
            var event = MemWatchEvent.leak(finding, rss: process?.rss, time: now)
            let note = process.flatMap { workerNote(finding.id, of: $0) }
            if let note { event.details["note"] = .string(note) }
            guard process != nil else { return [.record(event)] }
            return [.snapshot(SnapshotOrder(
                isolate: finding.id, reason: .leak, heapUsed: finding.heapUsed, announcing: event, workerNote: note))]
        case .heapLimit(let breach):
            let event = MemWatchEvent(
                time: now, type: .alert, pid: breach.id.pid, isolate: breach.id.isolateHex,
                detector: "heap-limit", reason: breach.reason, heapUsed: breach.heapUsed, rss: process?.rss,
                details: ["at_ms": .double(breach.atMs), "heap_limit": .int(breach.heapLimit)])
            guard let process else { return [.record(event)] }
            return [.snapshot(SnapshotOrder(
                isolate: breach.id, reason: .heapLimit, heapUsed: breach.heapUsed, announcing: event,
                workerNote: workerNote(breach.id, of: process)))]
        }
    }

    /// After a full GC of a leaking isolate: another snapshot once the heap
    /// has grown enough since the last one and the cooldown has passed.
    public func followUp(after event: GCEvent, leaking: Bool, of process: ProcessFacts, now: Date) -> [ResponseAction] {
        guard event.kind.isFull, leaking, let last = process.snapshotRequests.last,
              process.snapshotRequests.count < maxSnapshotsPerProcess,
              now.timeIntervalSince(last.time) >= cooldown,
              Double(event.usedAfter) >= Double(last.heapUsed) * followUpGrowth
        else { return [] }
        return [.snapshot(SnapshotOrder(
            isolate: event.id, reason: .leakGrowth, heapUsed: event.usedAfter,
            workerNote: workerNote(event.id, of: process)))]
    }

    /// A signal snapshot shows the main thread's heap only.
    func workerNote(_ id: IsolateID, of process: ProcessFacts) -> String? {
        guard process.mainIsolate != id.isolate else { return nil }
        return "isolate \(id.isolateHex) is a worker thread; the \(SignalName.of(snapshotSignal)) snapshot "
            + "covers the main thread's heap only"
    }
}
