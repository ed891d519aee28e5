#if canImport(Glibc)
import Glibc
#endif

/// What the caller knows when it asks for a snapshot: the process and the
/// facts from /proc and the GC trace (ProcReader / CgroupMemory fill these).
/// The taker adds the rest (disk, budget, history, clock).
///
/// Read the /proc facts (by pid) *before* calling `take`: it checks the pidfd
/// first, so facts read from a pid that was since reused are never acted on.
public struct SnapshotRequest: Sendable {
    public var process: ProcessHandle
    /// The snapshot signal (main thread's heap) unless a worker thread's own heap is wanted.
    public var trigger: SnapshotTrigger
    /// The isolate whose leak triggered the snapshot, as V8 prints it.
    public var isolate: String?
    /// V8 heap in use after the last GC, bytes.
    public var heapUsed: Int64
    public var rss: Int64?
    /// `SigCgt` has the trigger's signal: sending it does not kill the process.
    public var catchesSnapshotSignal: Bool
    public var memAvailable: Int64
    public var cgroup: CgroupMemory?
    /// The app's cwd: where the heapdump module (and node without
    /// `--diagnostic-dir`) writes its snapshot.
    public var appDirectory: String?
    /// The heap nears its limit: the process may die of OOM within seconds,
    /// so the per-process cooldown does not hold this snapshot back.
    public var urgent: Bool
    /// Extra facts for the event, e.g. `trigger` or a worker-thread `note`.
    public var details: [String: EventDetail]
    /// Runs once, right after the signal is sent or before a skip or failure
    /// is recorded: the caller records the leak that asked for the snapshot
    /// here, so recording it never delays the signal and events stay in order.
    public var announce: (@Sendable () async -> Void)?

    public init(
        process: ProcessHandle, trigger: SnapshotTrigger = .signal(SIGUSR2), isolate: String? = nil, heapUsed: Int64, rss: Int64? = nil,
        catchesSnapshotSignal: Bool, memAvailable: Int64, cgroup: CgroupMemory? = nil,
        appDirectory: String? = nil, urgent: Bool = false, details: [String: EventDetail] = [:]
    ) {
        self.process = process
        self.trigger = trigger
        self.isolate = isolate
        self.heapUsed = heapUsed
        self.rss = rss
        self.catchesSnapshotSignal = catchesSnapshotSignal
        self.memAvailable = memAvailable
        self.cgroup = cgroup
        self.appDirectory = appDirectory
        self.urgent = urgent
        self.details = details
    }
}
