import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why no snapshot was taken. Each case reads as a sentence a person can act on.
public enum SnapshotSkipReason: Sendable, Equatable, CustomStringConvertible {
    /// The snapshot signal's default action would kill the process.
    case doesNotCatchSnapshotSignal(pid: Int32, signal: Int32)
    /// `room` is the tighter of MemAvailable and the cgroup's room.
    case notEnoughMemory(
        needed: Int64, heapUsed: Int64, model: SnapshotMemoryModel, factor: Double, room: SnapshotMemoryRoom)
    case notEnoughDisk(needed: Int64, free: Int64, directory: String)
    /// Even deleting every managed snapshot would not make room within the budget.
    case overBudget(needed: Int64, budget: Int64, managedBytes: Int64, managedCount: Int)
    case coolingDown(pid: Int32, last: Date, nextAllowed: Date, now: Date)
    case perProcessLimitReached(pid: Int32, count: Int, limit: Int)
    /// The process was gone before the signal.
    case processExited(pid: Int32)
    /// A symlink, hard link or other non-file waits under the snapshot's name.
    case plantedEntry(path: String)
    /// `--dry-run`: everything checked, nothing sent: `signal`, or a request
    /// to worker `thread` for its own heap.
    case dryRun(pid: Int32, trigger: SnapshotTrigger)

    /// Short stable name for JSON and the journal. Scripts match on these, so
    /// the signal guard keeps the name it had when the signal was always SIGUSR2.
    public var code: String {
        switch self {
        case .doesNotCatchSnapshotSignal: "sigusr2-not-caught"
        case .notEnoughMemory: "memory"
        case .notEnoughDisk: "disk"
        case .overBudget: "budget"
        case .coolingDown: "cooldown"
        case .perProcessLimitReached: "per-process-limit"
        case .processExited: "process-exited"
        case .plantedEntry: "planted-entry"
        case .dryRun: "dry-run"
        }
    }

    public var description: String {
        typealias H = HumanReadable
        switch self {
        case let .doesNotCatchSnapshotSignal(pid, signal):
            let name = SignalName.of(signal)
            // The heapdump module only ever listens for SIGUSR2.
            let heapdump = signal == SIGUSR2 ? " or load the heapdump module" : ""
            return "pid \(pid) does not catch \(name) (SigCgt bit \(signal) is clear), and \(name) would kill it; "
                + "start node with --heapsnapshot-signal=\(name) (memwatchd run adds it)" + heapdump
        case let .notEnoughMemory(needed, heap, model, factor, room):
            let remedy = if case .cgroup = room { "raise the cgroup's memory limit" } else { "free memory" }
            return "not enough memory to write a snapshot: a \(H.bytes(heap)) heap needs about \(H.bytes(needed)) "
                + "(\(String(format: "%g", factor)) x the measured worst case of "
                + "\(String(format: "%g", model.extraPerHeapByte)) x the heap + \(H.bytes(model.baseBytes))), "
                + "and \(room); "
                + remedy + " or, for a heap of few large objects (strings, buffers), lower --memory-headroom-factor"
        case let .notEnoughDisk(needed, free, directory):
            return "not enough disk for a snapshot in \(directory): it needs about \(H.bytes(needed)), "
                + "\(H.bytes(free)) free; free space or choose a larger --snapshot-dir"
        case let .overBudget(needed, budget, managedBytes, managedCount):
            return "a snapshot of about \(H.bytes(needed)) does not fit the snapshot budget of \(H.bytes(budget)) "
                + "even after deleting all \(managedCount) managed snapshots (\(H.bytes(managedBytes))); "
                + "raise --max-snapshot-bytes"
        case let .coolingDown(pid, last, nextAllowed, now):
            return "pid \(pid) had a snapshot \(H.seconds(now.timeIntervalSince(last))) ago; "
                + "the next is allowed in \(H.seconds(nextAllowed.timeIntervalSince(now))) (snapshot cooldown)"
        case let .perProcessLimitReached(pid, count, limit):
            return "pid \(pid) already has \(count) snapshots, the limit per process is \(limit); "
                + "compare the ones taken (memwatchd heap diff) or raise the limit"
        case let .processExited(pid):
            return "pid \(pid) exited before the snapshot could be requested"
        case let .plantedEntry(path):
            return "\(path) has the name of the snapshot node would write next but is a symbolic link, a hard link "
                + "or not a file: node would write the heap through it; no signal is sent while it is there (remove it)"
        case let .dryRun(pid, .signal(signal)):
            return "dry run: would have sent \(SignalName.of(signal)) to pid \(pid)"
        case let .dryRun(pid, .workerRequest(thread, _)):
            return "dry run: would have asked worker thread \(thread) of pid \(pid) for its heap snapshot"
        }
    }
}
