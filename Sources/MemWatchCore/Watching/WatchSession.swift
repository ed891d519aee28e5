import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches node processes through their GC trace and /proc: feeds every GC to
/// the per-isolate detectors, records what they decide, and answers a leak or
/// a heap nearing its limit with a guarded heap snapshot.
///
/// The same session serves `memwatchd run` (trace from the child's stdout)
/// and, later, `attach` and the daemon (trace from a log or the journal).
public actor WatchSession {
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

        public init() {}
    }

    /// Isolates watched per process at most: a worker pool rarely runs more,
    /// and an app printing made-up trace lines must not grow memwatchd.
    public static let maxIsolatesPerProcess = 64

    private let options: Options
    private let scope: any WatchScope
    private let reporter: EventReporter
    private let snapshots: SnapshotTaker
    private let proc: ProcReader
    private let cgroups: CgroupMemoryReader
    private var watch: LeakWatch
    private var processes: [Int32: WatchedProcess] = [:]
    /// The isolates watched under each pid, up to `maxIsolatesPerProcess`.
    private var isolatesByPID: [Int32: Set<UInt64>] = [:]
    /// Pids told of once that they passed the isolate bound.
    private var isolateLimitNoted: Set<Int32> = []
    private var actions: [Task<Void, Never>] = []
    /// Snapshot comparisons under way, by number: (older, newer) file.
    private var comparisons: [Int: (old: String, new: String)] = [:]
    private var comparisonsStarted = 0

    /// `scope`: the processes watched; trace records of any other pid are ignored.
    public init(
        options: Options, scope: any WatchScope, reporter: EventReporter, snapshots: SnapshotTaker,
        proc: ProcReader = ProcReader(), cgroups: CgroupMemoryReader = CgroupMemoryReader()
    ) {
        self.options = options
        self.scope = scope
        self.reporter = reporter
        self.snapshots = snapshots
        self.proc = proc
        self.cgroups = cgroups
        // Limits are learnt per process (`register`): cluster workers and
        // child processes may run with limits of their own.
        watch = LeakWatch(detector: options.detector, heapLimitShare: options.heapLimitShare)
    }

    /// Feeds trace records until the stream ends.
    public func consume(_ records: AsyncStream<GCTraceRecord>) async {
        for await record in records {
            if case .gc(let event) = record { observe(event) } else if admit(record.isolate) { _ = watch.observe(record) }
        }
    }

    /// Whether the isolate's records are watched: its process is registered
    /// (in scope, held by its pidfd), and has not already shown
    /// `maxIsolatesPerProcess` others.
    private func admit(_ id: IsolateID) -> Bool {
        if isolatesByPID[id.pid]?.contains(id.isolate) == true { return true }
        if processes[id.pid] == nil { register(id) }
        guard processes[id.pid] != nil else { return false }
        let known = isolatesByPID[id.pid, default: []]
        guard known.count < Self.maxIsolatesPerProcess else {
            if isolateLimitNoted.insert(id.pid).inserted {
                let note = "pid \(id.pid) traced more than \(Self.maxIsolatesPerProcess) isolates; "
                    + "further isolates of it are not watched (made-up trace lines, or a very large worker pool)"
                reporter.alerts.emit(Alert(
                    priority: .warning, message: note,
                    event: MemWatchEvent(time: Date(), type: .alert, pid: id.pid, reason: note)))
            }
            return false
        }
        isolatesByPID[id.pid, default: []].insert(id.isolate)
        return true
    }

    /// Keeps the latest /proc sample of every process under `root` until it
    /// is gone; leak events carry it.
    public func sample(treeOf root: Int32, with sampler: ProcSampler) async {
        for await round in sampler.samples(treeOf: root) {
            for sample in round { processes[sample.pid]?.latestSample = sample }
        }
    }

    /// Waits for the snapshots and records already started. A comparison of
    /// snapshots still running (it may take minutes at the lowest priority)
    /// is left, with the command that finishes it.
    public func finish() async {
        while !actions.isEmpty {
            let pending = actions
            actions = []
            for action in pending { await action.value }
        }
        for (old, new) in comparisons.values.sorted(by: { $0.new < $1.new }) {
            reporter.alerts.emit(Alert(
                priority: .notice,
                message: "comparison of \(old) and \(new) left unfinished at exit; `memwatchd heap diff \(old) \(new)` finishes it",
                event: MemWatchEvent(time: Date(), type: .alert, reason: "comparison left unfinished")))
        }
        comparisons = [:]
    }

    /// All isolates seen so far, with their GC counts and verdicts.
    public var isolates: [IsolateWatch] { watch.isolates }

    public func observe(_ event: GCEvent) {
        let pid = event.id.pid
        let newIsolate = !watch.isWatching(event.id)
        // A new isolate under a pid whose process has exited: the pid was reused.
        if newIsolate, processes[pid]?.handle.hasExited == true {
            processes[pid] = nil
            isolatesByPID[pid] = nil
            isolateLimitNoted.remove(pid)
        }
        guard admit(event.id) else { return }
        if newIsolate, let limit = processes[pid]?.heapLimit { watch.learnHeapLimit(limit, for: event.id) }
        for alert in watch.observe(event) { respond(to: alert) }
        if event.kind.isFull { followUp(event) }
    }

    /// While a leak goes on, another snapshot once the heap has grown by a
    /// fifth since the last one and the cooldown has passed: the two snapshots'
    /// difference names what grows.
    private func followUp(_ event: GCEvent) {
        guard watch.leak(of: event.id) != nil, let process = processes[event.id.pid],
              let last = process.snapshotRequests.last,
              process.snapshotRequests.count < snapshots.policy.maxSnapshotsPerProcess,
              Date().timeIntervalSince(last.time) >= snapshots.policy.cooldown,
              Double(event.usedAfter) >= Double(last.heapUsed) * 1.2
        else { return }
        requestSnapshot(of: event.id, heapUsed: event.usedAfter, trigger: "leak-growth", urgent: false)
    }

    private func register(_ id: IsolateID) {
        // Checked through its pidfd: never a process outside the scope.
        guard let handle = scope.handle(for: id.pid) else { return }
        let report = options.reportDirectory.flatMap { ProcessReport.read(pid: id.pid, in: $0) }
        let limit = Self.oldSpaceLimit(report: report) ?? options.defaultHeapLimit ?? report?.heapSizeLimit
        let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(proc.root)/\(id.pid)/cwd")
        processes[id.pid] = WatchedProcess(handle: handle, mainIsolate: id.isolate, heapLimit: limit, workingDirectory: cwd)
    }

    /// A heap dies of OOM when its old generation passes `--max-old-space-size`;
    /// V8's `heap_size_limit` adds the young generation's reservation on top
    /// (48 MB on Node 20, 192 MB on Node 24), which a heap after a full GC
    /// never reaches. So the explicit option, where node got one, is the limit.
    static func oldSpaceLimit(report: ProcessReport?) -> Int64? {
        guard let report else { return nil }
        return NodeHeapLimitOption.find(argv: ["node"] + report.execArgv, environment: [:])?.bytes
    }

    /// Records the alert and asks for a snapshot; the event is recorded by
    /// the snapshot request's `announce`, right after the signal, so the
    /// SQLite write and the alert line never delay the signal.
    private func respond(to alert: WatchAlert) {
        let now = Date()
        let reporter = reporter
        switch alert {
        case .leak(let finding):
            var event = MemWatchEvent.leak(finding, rss: processes[finding.id.pid]?.latestSample?.rss, time: now)
            if let note = workerNote(finding.id) { event.details["note"] = .string(note) }
            let pid = finding.id.pid
            requestSnapshot(of: finding.id, heapUsed: finding.heapUsed, trigger: "leak", urgent: false) { [event] in
                let recorded = reporter.report(event)
                Task { await self.noteLeakEvent(recorded.id, of: pid) }
            }
        case .heapLimit(let breach):
            let event = MemWatchEvent(
                time: now, type: .alert, pid: breach.id.pid, isolate: breach.id.isolateHex,
                detector: "heap-limit", reason: breach.reason, heapUsed: breach.heapUsed,
                rss: processes[breach.id.pid]?.latestSample?.rss,
                details: ["at_ms": .double(breach.atMs), "heap_limit": .int(breach.heapLimit)])
            requestSnapshot(of: breach.id, heapUsed: breach.heapUsed, trigger: "heap-limit", urgent: true) {
                reporter.report(event)
            }
        }
    }

    private func noteLeakEvent(_ id: Int64?, of pid: Int32) {
        if processes[pid]?.leakEventID == nil { processes[pid]?.leakEventID = id }
    }

    /// A signal snapshot shows the main thread's heap only.
    private func workerNote(_ id: IsolateID) -> String? {
        guard let process = processes[id.pid], process.mainIsolate != id.isolate else { return nil }
        return "isolate \(id.isolateHex) is a worker thread; the \(SignalName.of(options.snapshotSignal)) snapshot "
            + "covers the main thread's heap only"
    }

    /// `announce` runs once either way: after the signal, or at once when
    /// no snapshot can be asked for.
    private func requestSnapshot(
        of id: IsolateID, heapUsed: Int64, trigger: String, urgent: Bool,
        announce: (@Sendable () -> Void)? = nil
    ) {
        guard let process = processes[id.pid] else {
            announce?()
            return
        }
        // Fresh facts: a handler installed or memory used since the last sample counts.
        let status = proc.status(of: id.pid).value
        let cgroup = cgroups.memory(of: id.pid).value ?? nil
        var details: [String: EventDetail] = ["trigger": .string(trigger)]
        if let note = workerNote(id) { details["note"] = .string(note) }
        var request = SnapshotRequest(
            process: process.handle, trigger: .signal(options.snapshotSignal), isolate: id.isolateHex, heapUsed: heapUsed,
            rss: status?.rss ?? process.latestSample?.rss,
            catchesSnapshotSignal: status?.catches(signal: options.snapshotSignal) ?? false,
            memAvailable: proc.memoryAvailable() ?? 0, cgroup: cgroup,
            appDirectory: process.workingDirectory, urgent: urgent, details: details)
        request.announce = announce
        processes[id.pid]?.snapshotRequests.append((Date(), heapUsed))
        let snapshots = snapshots
        let workerRequests = workerSnapshotRequests(like: request, for: id)
        actions.append(Task {
            if case .written(let path, _, _) = await snapshots.take(request) { written(path, of: id.pid) }
            for worker in workerRequests { _ = await snapshots.take(worker) }
        })
    }

    /// A worker isolate's own heap: the trace names isolates, not thread ids,
    /// so every worker thread of the process that runs the preload is asked.
    private func workerSnapshotRequests(like request: SnapshotRequest, for id: IsolateID) -> [SnapshotRequest] {
        guard workerNote(id) != nil, let reports = options.reportDirectory else { return [] }
        return ProcessReport.readAll(in: reports).filter { $0.pid == id.pid && !$0.isMainThread }.map { report in
            var worker = request
            worker.announce = nil  // the leak is recorded once, with the signal snapshot
            worker.trigger = .workerRequest(thread: report.threadID, reportDirectory: reports)
            worker.details["note"] = .string("worker thread \(report.threadID)'s own heap, asked of every worker of pid \(id.pid)")
            return worker
        }
    }

    /// From the second snapshot of a process on, what grew between the last
    /// two: computed at the lowest CPU priority, added to the leak's record
    /// and told on the alert sinks.
    private func written(_ path: String, of pid: Int32) {
        guard var process = processes[pid] else { return }
        process.snapshotPaths.append(path)
        processes[pid] = process
        guard process.snapshotPaths.count >= 2 else { return }
        let old = URL(fileURLWithPath: process.snapshotPaths[process.snapshotPaths.count - 2])
        let new = URL(fileURLWithPath: path)
        let (reporter, leakEventID) = (reporter, process.leakEventID)
        comparisonsStarted += 1
        let number = comparisonsStarted
        comparisons[number] = (old.path, new.path)
        Task {
            do {
                let growth = try await HeapGrowthReport.computeInBackground(old: old, new: new)
                if growth.growers.isEmpty { return compared(number) }
                var details: [String: EventDetail] = ["top_growers": .string(growth.alertText)]
                if let path = growth.path { details["retaining_path"] = .string(path.joined(separator: " → ")) }
                details["growth_snapshots"] = .string(old.path + " → " + new.path)
                var event = MemWatchEvent(time: Date(), type: .leak, pid: pid, details: details)
                if let leakEventID, let updated = try reporter.store.addDetails(details, toEvent: leakEventID) {
                    event = updated
                }
                reporter.alerts.emit(Alert(
                    priority: .warning, message: "what grew in pid \(pid) between its last two snapshots: \(growth.alertText)",
                    event: event))
            } catch {
                reporter.alerts.emit(Alert(
                    priority: .error, message: "comparing snapshots of pid \(pid) failed: \(error)",
                    event: MemWatchEvent(time: Date(), type: .alert, pid: pid, reason: "\(error)")))
            }
            compared(number)
        }
    }

    private func compared(_ number: Int) { comparisons[number] = nil }
}
