import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Everything the snapshot guards look at, gathered at one moment, so the
/// guards themselves stay a pure function that tests can drive with any values.
public struct SnapshotFacts: Sendable, Equatable {
    public var pid: Int32
    /// The signal that asks for the snapshot (`--heapsnapshot-signal`).
    public var snapshotSignal: Int32
    /// `SigCgt` in `/proc/PID/status` has `snapshotSignal` (bit N-1 for signal N) set.
    public var catchesSnapshotSignal: Bool
    /// `MemAvailable` from `/proc/meminfo`, bytes.
    public var memAvailable: Int64
    /// The process's memory cgroup (its room: `headroom`), when one can be read.
    public var cgroup: CgroupMemory?
    /// V8 heap in use (after the last GC), bytes.
    public var heapUsed: Int64
    /// Free bytes (for an unprivileged user) on the snapshot directory's file system.
    public var diskFree: Int64
    public var snapshotDirectory: String
    /// Managed snapshots still on disk, any order.
    public var managedSnapshots: [ManagedSnapshot]
    /// When the last snapshot of this process was taken, and how many were.
    public var lastSnapshotOfProcess: Date?
    public var snapshotsOfProcess: Int
    public var now: Date

    public init(
        pid: Int32, snapshotSignal: Int32 = SIGUSR2, catchesSnapshotSignal: Bool, memAvailable: Int64, cgroup: CgroupMemory?,
        heapUsed: Int64, diskFree: Int64, snapshotDirectory: String,
        managedSnapshots: [ManagedSnapshot], lastSnapshotOfProcess: Date?, snapshotsOfProcess: Int,
        now: Date
    ) {
        self.pid = pid
        self.snapshotSignal = snapshotSignal
        self.catchesSnapshotSignal = catchesSnapshotSignal
        self.memAvailable = memAvailable
        self.cgroup = cgroup
        self.heapUsed = heapUsed
        self.diskFree = diskFree
        self.snapshotDirectory = snapshotDirectory
        self.managedSnapshots = managedSnapshots
        self.lastSnapshotOfProcess = lastSnapshotOfProcess
        self.snapshotsOfProcess = snapshotsOfProcess
        self.now = now
    }
}
