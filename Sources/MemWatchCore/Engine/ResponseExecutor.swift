import Foundation

/// Carries out what the response policy decided: records events, asks for
/// snapshots with facts read fresh from /proc, compares a process's last two
/// snapshots. Its calls run off the engine's actor (SQLite on the store's
/// worker, comparisons on the analysis worker), so no decision waits on them.
struct ResponseExecutor: Sendable {
    let reporter: EventReporter
    let snapshots: SnapshotTaker
    let proc: ProcReader
    let cgroups: CgroupMemoryReader
    let snapshotSignal: Int32
    /// Where the preload writes its per-process reports (worker threads).
    let reportDirectory: String?
    let analysis: BackgroundWorker

    @discardableResult
    func record(_ event: MemWatchEvent) async -> MemWatchEvent { await reporter.report(event) }

    /// Asks for the snapshot `order` names; its announcing event is recorded
    /// right after the signal and its id handed to `announced`. A worker
    /// thread's leak also asks every worker of the process for its own heap.
    func snapshot(
        _ order: SnapshotOrder, of process: WatchedProcess, announced: @escaping @Sendable (Int64?) async -> Void
    ) async -> SnapshotOutcome {
        let pid = process.pid
        // Fresh facts: a handler installed or memory used since the last sample counts.
        let status = proc.status(of: pid).value
        var details: [String: EventDetail] = ["trigger": .string(order.reason.code)]
        if let note = order.workerNote { details["note"] = .string(note) }
        var request = SnapshotRequest(
            process: process.handle, trigger: .signal(snapshotSignal), isolate: order.isolate.isolateHex,
            heapUsed: order.heapUsed, rss: status?.rss ?? process.latestSample?.rss,
            catchesSnapshotSignal: status?.catches(signal: snapshotSignal) ?? false,
            memAvailable: proc.memoryAvailable() ?? 0, cgroup: cgroups.memory(of: pid).value ?? nil,
            appDirectory: process.workingDirectory, urgent: order.reason.urgency == .immediate, details: details)
        if let event = order.announcing {
            let reporter = reporter
            request.announce = { await announced(await reporter.report(event).id) }
        }
        let outcome = await snapshots.take(request)
        if order.workerNote != nil {
            for worker in workerRequests(like: request) { _ = await snapshots.take(worker) }
        }
        return outcome
    }

    /// A worker isolate's own heap: the trace names isolates, not thread ids,
    /// so every worker thread of the process that runs the preload is asked.
    private func workerRequests(like request: SnapshotRequest) -> [SnapshotRequest] {
        guard let reportDirectory else { return [] }
        let pid = request.process.pid
        return ProcessReport.readAll(in: reportDirectory).filter { $0.pid == pid && !$0.isMainThread }.map { report in
            var worker = request
            worker.announce = nil  // the leak is recorded once, with the signal snapshot
            worker.trigger = .workerRequest(thread: report.threadID, reportDirectory: reportDirectory)
            worker.details["note"] = .string("worker thread \(report.threadID)'s own heap, asked of every worker of pid \(pid)")
            return worker
        }
    }

    /// What grew between two snapshots of `pid`: added to its leak's record
    /// (`leakEventID`) and told on the alert sinks.
    func compare(old: String, new: String, pid: Int32, leakEventID: Int64?) async {
        let alerts = reporter.alerts
        do {
            // At the lowest CPU priority: the service watched keeps the CPU.
            let growth = try await analysis.run {
                try HeapGrowthReport.compute(old: URL(fileURLWithPath: old), new: URL(fileURLWithPath: new))
            }
            if growth.growers.isEmpty { return }
            var details: [String: EventDetail] = ["top_growers": .string(growth.alertText)]
            if let path = growth.path { details["retaining_path"] = .string(path.joined(separator: " → ")) }
            details["growth_snapshots"] = .string(old + " → " + new)
            var event = MemWatchEvent(time: Date(), type: .leak, pid: pid, details: details)
            if let leakEventID, let updated = try await reporter.withStore({ [details] store throws(EventStoreError) in
                try store.addDetails(details, toEvent: leakEventID)
            }) {
                event = updated
            }
            alerts.emit(Alert(
                priority: .warning, message: "what grew in pid \(pid) between its last two snapshots: \(growth.alertText)",
                event: event))
        } catch {
            alerts.emit(Alert(
                priority: .error, message: "comparing snapshots of pid \(pid) failed: \(error)",
                event: MemWatchEvent(time: Date(), type: .alert, pid: pid, reason: "\(error)")))
        }
    }
}
