import Foundation

/// What the guards decided.
public enum SnapshotDecision: Sendable, Equatable {
    /// Take the snapshot, after deleting these managed snapshots (oldest
    /// first) to stay within the budget.
    case take(deletingFirst: [ManagedSnapshot])
    case skip(SnapshotSkipReason)
}

/// The checks before sending the snapshot signal, in the order of issue 3. Pure: facts in,
/// decision out, so every branch is tested without a process, a disk or a clock.
public enum SnapshotGuards {
    public static func evaluate(_ facts: SnapshotFacts, policy: SnapshotPolicy) -> SnapshotDecision {
        // 1. The signal's default action (SIGUSR1's, SIGUSR2's) kills a process that does not catch it.
        guard facts.catchesSnapshotSignal else {
            return .skip(.doesNotCatchSnapshotSignal(pid: facts.pid, signal: facts.snapshotSignal))
        }

        // 2. Writing the snapshot takes many times the heap in extra memory; in
        // a cgroup the kernel kills the app when it runs out. The tighter room counts.
        let memoryNeeded = policy.memoryNeeded(heapUsed: facts.heapUsed)
        let rooms = [SnapshotMemoryRoom.memAvailable(facts.memAvailable)] + (facts.cgroup.map { [.cgroup($0)] } ?? [])
        if let tightest = rooms.min(by: { ($0.bytes ?? .max) < ($1.bytes ?? .max) }),
           let free = tightest.bytes, free < memoryNeeded
        {
            return .skip(.notEnoughMemory(
                needed: memoryNeeded, heapUsed: facts.heapUsed, model: policy.memoryModel,
                factor: policy.memoryHeadroomFactor, room: tightest))
        }

        // 3. Disk and budget. Only the budget deletes old snapshots; what that
        // frees also counts as free disk since they share the directory.
        let fileNeeded = policy.expectedSnapshotBytes(heapUsed: facts.heapUsed)
        let oldestFirst = facts.managedSnapshots.sorted { ($0.time, $0.path) < ($1.time, $1.path) }
        let managedBytes = oldestFirst.reduce(Int64(0)) { $0 + $1.bytes }
        var keptBytes = managedBytes
        var deleting: [ManagedSnapshot] = []
        for snapshot in oldestFirst where keptBytes + fileNeeded > policy.maxSnapshotBytes {
            deleting.append(snapshot)
            keptBytes -= snapshot.bytes
        }
        if keptBytes + fileNeeded > policy.maxSnapshotBytes {
            return .skip(.overBudget(
                needed: fileNeeded, budget: policy.maxSnapshotBytes,
                managedBytes: managedBytes, managedCount: oldestFirst.count))
        }
        let freedBytes = managedBytes - keptBytes
        if facts.diskFree + freedBytes < fileNeeded {
            return .skip(.notEnoughDisk(
                needed: fileNeeded, free: facts.diskFree, directory: facts.snapshotDirectory))
        }

        // 4. Each snapshot pauses the app for seconds; a few per process tell the story.
        if facts.snapshotsOfProcess >= policy.maxSnapshotsPerProcess {
            return .skip(.perProcessLimitReached(
                pid: facts.pid, count: facts.snapshotsOfProcess, limit: policy.maxSnapshotsPerProcess))
        }
        if let last = facts.lastSnapshotOfProcess, facts.now.timeIntervalSince(last) < policy.cooldown {
            return .skip(.coolingDown(
                pid: facts.pid, last: last, nextAllowed: last.addingTimeInterval(policy.cooldown), now: facts.now))
        }
        return .take(deletingFirst: deleting)
    }
}
