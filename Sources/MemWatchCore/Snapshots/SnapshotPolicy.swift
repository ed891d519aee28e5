import Foundation

/// The limits a heap snapshot must respect; defaults from issue 3.
public struct SnapshotPolicy: Sendable, Equatable {
    /// What writing a snapshot costs in memory, from the heap in use.
    public var memoryModel: SnapshotMemoryModel
    /// A safety margin on top of the model (`--memory-headroom-factor`):
    /// MemAvailable and the cgroup's room must each hold this many times the
    /// modelled cost.
    public var memoryHeadroomFactor: Double
    /// Expected snapshot file size as a multiple of the heap in use: up to
    /// 2.9x measured (short strings and boxed numbers; small objects 1.8x,
    /// big strings 0.15x as V8 cuts each string to 1 KB), see the README.
    public var diskFactor: Double
    /// Total bytes of managed snapshots (`--max-snapshot-bytes`).
    public var maxSnapshotBytes: Int64
    /// Minimum time between two snapshots of one process.
    public var cooldown: TimeInterval
    /// Most snapshots taken of one process.
    public var maxSnapshotsPerProcess: Int
    /// Waiting for the file: `timeoutBase` plus `timeoutPerHeapByte` per byte of heap.
    public var timeoutBase: TimeInterval
    public var timeoutPerHeapByte: TimeInterval

    public init(
        memoryModel: SnapshotMemoryModel = .measured,
        memoryHeadroomFactor: Double = 1.25,
        diskFactor: Double = 3,
        maxSnapshotBytes: Int64 = 5 << 30,
        cooldown: TimeInterval = 600,
        maxSnapshotsPerProcess: Int = 3,
        timeoutBase: TimeInterval = 30,
        timeoutPerHeapByte: TimeInterval = 1.0 / Double(4 << 20)
    ) {
        self.memoryModel = memoryModel
        self.memoryHeadroomFactor = memoryHeadroomFactor
        self.diskFactor = diskFactor
        self.maxSnapshotBytes = maxSnapshotBytes
        self.cooldown = cooldown
        self.maxSnapshotsPerProcess = maxSnapshotsPerProcess
        self.timeoutBase = timeoutBase
        self.timeoutPerHeapByte = timeoutPerHeapByte
    }

    /// How long to wait for a whole file from a heap of this size (30 s + 1 s
    /// per 4 MB by default). Writing is single-threaded and slows down a lot on
    /// a busy machine: a 48 MB heap (113 MB file) took 8-21 s on 2 loaded cores.
    /// A process that dies is noticed at once through its pidfd, so a long
    /// timeout only matters for a process that hangs.
    public func timeout(heapUsed: Int64) -> TimeInterval {
        timeoutBase + Double(max(0, heapUsed)) * timeoutPerHeapByte
    }

    /// The memory to have free before signalling: the model's cost times the safety factor.
    public func memoryNeeded(heapUsed: Int64) -> Int64 {
        Int64((Double(memoryModel.extraBytes(heapUsed: heapUsed)) * memoryHeadroomFactor).rounded(.up))
    }

    public func expectedSnapshotBytes(heapUsed: Int64) -> Int64 {
        Int64((Double(max(0, heapUsed)) * diskFactor).rounded(.up))
    }
}
