import Foundation
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Watches node processes through their GC trace and /proc, for `run` now and
/// the daemon later: reads every trace source, feeds each GC to its isolate's
/// detector, asks the response policy what to do about what the detectors
/// find, and has the executor do it.
///
/// Holds a process while it lives (``ProcessRegistry``): its pidfd's exit,
/// seen on the event loop, drops it and its isolates' detector state a
/// moment later. Nothing here blocks: SQLite, snapshots and comparisons run
/// in tasks of the executor, which never hold the actor.
public actor WatchEngine: Service {
    public struct Options: Sendable {
        public var detector: DetectorKind = .trend
        /// Share of a process's heap limit at which it is snapshotted at once.
        public var heapLimitShare = 0.85
        /// The heap limit given for the command (`--max-old-space-size` in its
        /// argv or NODE_OPTIONS), for processes whose own command line says none.
        public var defaultHeapLimit: Int64?
        /// Where the preload writes its per-process reports.
        public var reportDirectory: String?
        /// The signal node was told to snapshot on (`--heapsnapshot-signal`).
        public var snapshotSignal: Int32 = SIGUSR2
        /// How long an exited process stays held: its last lines may still be
        /// on their way through a pipe or a log when its pidfd turns readable.
        public var exitLinger: Duration = .seconds(5)

        public init() {}
    }

    /// Isolates watched per process at most (see ``ProcessRegistry``).
    public static var maxIsolatesPerProcess: Int { ProcessRegistry.maxIsolatesPerProcess }

    private let options: Options
    private let scope: any WatchScope
    private let sources: [any TraceSource]
    private let policy: ResponsePolicy
    private let executor: ResponseExecutor
    private let proc: ProcReader
    private let loop: EventLoop
    private let now: @Sendable () -> Date
    private var watch: LeakWatch
    private var registry = ProcessRegistry()
    /// Per held process, the wait for its exit.
    private var exitWatches: [ObjectIdentifier: Task<Void, Never>] = [:]
    /// Actions under way (snapshots, records), by number; each removes itself.
    private var pending: [Int: Task<Void, Never>] = [:]
    private var actionsStarted = 0
    /// Snapshot comparisons under way, by number: (older, newer) file.
    private var comparisons: [Int: (old: String, new: String)] = [:]
    private var comparisonsStarted = 0

    /// - Parameters:
    ///   - scope: the processes watched; records of any other pid are ignored.
    ///     It is also how a process is opened (held by its pidfd).
    ///   - sources: read by ``run()``; ``watch(_:)`` reads others.
    ///   - now: the clock of decisions (cooldowns, event times).
    public init(
        options: Options, scope: any WatchScope, sources: [any TraceSource] = [], reporter: EventReporter,
        snapshots: SnapshotTaker, proc: ProcReader = ProcReader(), cgroups: CgroupMemoryReader = CgroupMemoryReader(),
        loop: EventLoop = .shared, analysis: BackgroundWorker = .analysis, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.options = options
        self.scope = scope
        self.sources = sources
        self.proc = proc
        self.loop = loop
        self.now = now
        policy = ResponsePolicy(snapshots: snapshots.policy, snapshotSignal: options.snapshotSignal)
        executor = ResponseExecutor(
            reporter: reporter, snapshots: snapshots, proc: proc, cgroups: cgroups,
            snapshotSignal: options.snapshotSignal, reportDirectory: options.reportDirectory, analysis: analysis)
        // Limits are learnt per process (`open`): cluster workers and child
        // processes may run with limits of their own.
        watch = LeakWatch(detector: options.detector, heapLimitShare: options.heapLimitShare)
    }

    /// The service: reads the sources given at init until they all end and
    /// the group shuts down, then finishes what it started. A graceful
    /// shutdown does not cut the sources short: a stopping app's last lines
    /// are still its own. (A service of the group must not end before its
    /// shutdown: the group takes that for a failure.)
    public func run() async {
        await readSources()
        try? await gracefulShutdown()
        await finish()
    }

    /// Reads the sources given at init until they all end.
    public func readSources() async {
        await withTaskGroup(of: Void.self) { group in
            for source in sources { group.addTask { await self.watch(source) } }
        }
    }

    /// Feeds `source`'s records until it ends.
    public func watch(_ source: any TraceSource) async {
        for await batch in source.records() {
            for record in batch { observe(record) }
        }
        if let note = source.endNote() { start { [executor] in await executor.record(note) } }
    }

    /// Waits for the snapshots and records already started. A comparison of
    /// snapshots still running (it may take minutes at the lowest priority)
    /// is left, with the command that finishes it.
    public func finish() async {
        while !pending.isEmpty {
            for task in Array(pending.values) { await task.value }
        }
        for task in exitWatches.values { task.cancel() }
        exitWatches = [:]
        for (old, new) in comparisons.values.sorted(by: { $0.new < $1.new }) {
            await executor.record(MemWatchEvent(
                time: now(), type: .alert,
                reason: "comparison of \(old) and \(new) left unfinished at exit; `memwatchd heap diff \(old) \(new)` finishes it"))
        }
        comparisons = [:]
    }

    /// All isolates watched now, with their GC counts and verdicts.
    public var isolates: [IsolateWatch] { watch.isolates }

    /// The pids held now: what the sampler samples.
    public var watchedPIDs: [Int32] { registry.pids }

    /// The sampler's latest sample of a held process.
    public func latestSample(of pid: Int32) -> MemorySample? { registry[pid]?.latestSample }

    /// The sampler's latest round: leak events and snapshot requests carry it.
    public func sampled(_ round: [MemorySample]) {
        for sample in round { registry[sample.pid]?.latestSample = sample }
    }

    public func observe(_ record: GCTraceRecord) {
        guard case .gc(let event) = record else {
            if admit(record.isolate) { _ = watch.observe(record) }
            return
        }
        guard admit(event.id) else { return }
        for alert in watch.observe(event) {
            carryOut(policy.respond(to: alert, of: registry[event.id.pid]?.facts, now: now()))
        }
        if event.kind.isFull, let process = registry[event.id.pid] {
            carryOut(policy.followUp(after: event, leaking: watch.leak(of: event.id) != nil, of: process.facts, now: now()))
        }
    }

    /// Whether the isolate's records are watched: its process is held (in
    /// scope, by its pidfd) and has not shown too many isolates.
    private func admit(_ id: IsolateID) -> Bool {
        // The common case, once per trace line: a live process's known isolate.
        if registry.isWatchedLive(id) { return true }
        let held = registry[id.pid]?.handle
        let admission = registry.admit(id) { pid in
            guard let handle = scope.handle(for: pid), handle !== held, !handle.hasExited else { return nil }
            return open(handle, mainIsolate: id.isolate)
        }
        switch admission {
        case .refused:
            return false
        case .tooManyIsolates(let firstTime):
            if firstTime {
                let note = "pid \(id.pid) traced more than \(ProcessRegistry.maxIsolatesPerProcess) isolates; "
                    + "further isolates of it are not watched (made-up trace lines, or a very large worker pool)"
                carryOut([.record(MemWatchEvent(time: now(), type: .alert, pid: id.pid, reason: note))])
            }
            return false
        case let .watched(newProcess, newIsolate, replaced):
            for isolate in replaced { watch.forget(isolate) }
            if newProcess, let process = registry[id.pid] { watchExit(of: process.handle) }
            if newIsolate, let limit = registry[id.pid]?.heapLimit { watch.learnHeapLimit(limit, for: id) }
            return true
        }
    }

    private func open(_ handle: ProcessHandle, mainIsolate: UInt64) -> WatchedProcess {
        let pid = handle.pid
        let report = options.reportDirectory.flatMap { ProcessReport.read(pid: pid, in: $0) }
        let limit = Self.oldSpaceLimit(report: report) ?? options.defaultHeapLimit ?? report?.heapSizeLimit
        let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(proc.root)/\(pid)/cwd")
        return WatchedProcess(handle: handle, mainIsolate: mainIsolate, heapLimit: limit, workingDirectory: cwd)
    }

    /// A heap dies of OOM when its old generation passes `--max-old-space-size`;
    /// V8's `heap_size_limit` adds the young generation's reservation on top
    /// (48 MB on Node 20, 192 MB on Node 24), which a heap after a full GC
    /// never reaches. So the explicit option, where node got one, is the limit.
    static func oldSpaceLimit(report: ProcessReport?) -> Int64? {
        guard let report else { return nil }
        return NodeHeapLimitOption.find(argv: ["node"] + report.execArgv, environment: [:])?.bytes
    }

    /// Waits on the event loop for the process's exit; then, after the
    /// linger, drops it.
    private func watchExit(of handle: ProcessHandle) {
        let (loop, linger) = (loop, options.exitLinger)
        exitWatches[ObjectIdentifier(handle)] = Task {
            guard await loop.readable(handle.descriptor) == .ready else { return }
            registry.markExited(handle)
            do { try await Task.sleep(for: linger) } catch { return }
            drop(handle)
        }
    }

    private func drop(_ handle: ProcessHandle) {
        exitWatches[ObjectIdentifier(handle)] = nil
        guard let isolates = registry.remove(handle) else { return }
        for isolate in isolates { watch.forget(isolate) }
        scope.forget(handle)
    }

    private func carryOut(_ actions: [ResponseAction]) {
        for action in actions {
            switch action {
            case .record(let event):
                start { [executor] in await executor.record(event) }
            case .snapshot(let order):
                guard let process = registry[order.isolate.pid] else {
                    if let event = order.announcing { start { [executor] in await executor.record(event) } }
                    continue
                }
                registry[order.isolate.pid]?.snapshotRequests.append((now(), order.heapUsed))
                let handle = process.handle
                start { [executor] in
                    let outcome = await executor.snapshot(order, of: process) { id in
                        await self.noteLeakEvent(id, of: handle)
                    }
                    if case .written(let path, _, _) = outcome { await self.written(path, of: handle) }
                }
            }
        }
    }

    /// Runs `work` as a tracked task, which ``finish()`` waits for.
    private func start(_ work: @escaping @Sendable () async -> Void) {
        actionsStarted += 1
        let number = actionsStarted
        pending[number] = Task {
            await work()
            pending[number] = nil
        }
    }

    private func noteLeakEvent(_ id: Int64?, of handle: ProcessHandle) {
        guard registry[handle.pid]?.handle === handle, registry[handle.pid]?.leakEventID == nil else { return }
        registry[handle.pid]?.leakEventID = id
    }

    /// From the second snapshot of a process on, what grew between the last
    /// two: computed at the lowest CPU priority, added to the leak's record.
    private func written(_ path: String, of handle: ProcessHandle) {
        guard registry[handle.pid]?.handle === handle, var process = registry[handle.pid] else { return }
        process.snapshotPaths.append(path)
        registry[handle.pid] = process
        guard process.snapshotPaths.count >= 2 else { return }
        let old = process.snapshotPaths[process.snapshotPaths.count - 2]
        let (pid, leakEventID) = (handle.pid, process.leakEventID)
        comparisonsStarted += 1
        let number = comparisonsStarted
        comparisons[number] = (old, path)
        Task { [executor] in
            await executor.compare(old: old, new: path, pid: pid, leakEventID: leakEventID)
            compared(number)
        }
    }

    private func compared(_ number: Int) { comparisons[number] = nil }
}
