import Foundation

/// Why no snapshot was taken. Each case reads as a sentence a person can act on.
public enum SnapshotSkipReason: Sendable, Equatable, CustomStringConvertible {
    /// SIGUSR2's default action kills the process.
    case doesNotCatchSIGUSR2(pid: Int32)
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
    /// `--dry-run`: everything checked, nothing sent (`thread`: a worker's heap was wanted).
    case dryRun(pid: Int32, thread: Int?)

    /// Short stable name for JSON and the journal.
    public var code: String {
        switch self {
        case .doesNotCatchSIGUSR2: "sigusr2-not-caught"
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
        case let .doesNotCatchSIGUSR2(pid):
            return "pid \(pid) does not catch SIGUSR2 (SigCgt bit 12 is clear), and SIGUSR2 would kill it; "
                + "start node with --heapsnapshot-signal=SIGUSR2 (memwatchd run adds it) or load the heapdump module"
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
        case let .dryRun(pid, nil):
            return "dry run: would have sent SIGUSR2 to pid \(pid)"
        case let .dryRun(pid, thread?):
            return "dry run: would have asked worker thread \(thread) of pid \(pid) for its heap snapshot"
        }
    }
}
