import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One /proc pass a tick for every watched process on the host: each
/// process's status, `MemAvailable` once, and each cgroup its processes
/// share once (a cluster's workers sit in one).
public struct HostSampler: Sendable {
    public var proc: ProcReader
    public var cgroups: CgroupMemoryReader
    /// The signal node was told to snapshot on: samples say whether it is caught.
    public var snapshotSignal: Int32

    public init(
        proc: ProcReader = ProcReader(), cgroups: CgroupMemoryReader = CgroupMemoryReader(),
        snapshotSignal: Int32 = SIGUSR2
    ) {
        self.proc = proc
        self.cgroups = cgroups
        self.snapshotSignal = snapshotSignal
    }

    /// A sample of each of `pids` still alive, ascending by pid.
    public func sample(_ pids: [Int32], at time: Date = Date()) -> [MemorySample] {
        guard !pids.isEmpty else { return [] }
        let available = proc.memoryAvailable()
        var cgroupOf: [CgroupMemoryReader.Membership: CgroupMemory?] = [:]
        return pids.sorted().compactMap { pid in
            guard let status = proc.status(of: pid).value, !status.isZombie else { return nil }
            var cgroup: CgroupMemory?
            if let membership = cgroups.membership(of: pid).value {
                if let known = cgroupOf[membership] {
                    cgroup = known
                } else {
                    cgroup = cgroups.memory(of: membership)
                    cgroupOf[membership] = cgroup
                }
            }
            return MemorySample(
                pid: pid, time: time, rss: status.rss, rssAnon: status.rssAnon,
                rssFile: status.rssFile, catchesSnapshotSignal: status.catches(signal: snapshotSignal),
                cgroup: cgroup, memoryAvailable: available)
        }
    }
}
