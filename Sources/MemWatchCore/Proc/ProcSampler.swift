import Foundation

/// Samples the memory of a process and everything below it at a fixed interval.
public struct ProcSampler: Sendable {
    public var proc: ProcReader
    public var cgroups: CgroupMemoryReader
    public var interval: Duration
    /// The signal node was told to snapshot on: samples say whether it is caught.
    public var snapshotSignal: Int32

    public init(
        proc: ProcReader = ProcReader(), cgroups: CgroupMemoryReader = CgroupMemoryReader(),
        interval: Duration = .seconds(1), snapshotSignal: Int32 = SIGUSR2
    ) {
        self.proc = proc
        self.cgroups = cgroups
        self.interval = interval
        self.snapshotSignal = snapshotSignal
    }

    /// One round: `root` and its live descendants, ascending by pid. Empty
    /// when `root` has vanished.
    public func sample(treeOf root: Int32, at time: Date = Date()) -> [MemorySample] {
        guard proc.status(of: root).value != nil else { return [] }
        let available = proc.memoryAvailable()
        return ([root] + proc.descendants(of: root)).compactMap { pid in
            guard let status = proc.status(of: pid).value, !status.isZombie else { return nil }
            return MemorySample(
                pid: pid, time: time, rss: status.rss, rssAnon: status.rssAnon,
                rssFile: status.rssFile, catchesSnapshotSignal: status.catches(signal: snapshotSignal),
                cgroup: cgroups.memory(of: pid).value ?? nil, memoryAvailable: available)
        }
    }

    /// A round of samples now and every `interval` after; finishes once
    /// `root` has vanished or the consumer stops iterating.
    public func samples(treeOf root: Int32) -> AsyncStream<[MemorySample]> {
        AsyncStream { continuation in
            let task = Task {
                while !Task.isCancelled {
                    let round = sample(treeOf: root)
                    if round.isEmpty { break }
                    continuation.yield(round)
                    try? await Task.sleep(for: interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
