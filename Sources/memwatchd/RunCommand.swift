import ArgumentParser
import Foundation
import MemWatchCore
import ServiceLifecycle

/// `memwatchd run -- CMD...`: launch a node app (or anything that runs node),
/// watch every node process under it, and answer a leak with a heap snapshot.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command, watch every node process under it for memory leaks, snapshot the heap on a leak.",
        discussion: """
            App output passes through untouched (minus V8's GC trace lines); memwatchd exits with the \
            command's status (128+N if a signal N killed it). Events go to stderr and to the event store: \
            see `memwatchd events`.
            """)

    @OptionGroup var state: StateOptions
    @OptionGroup var snapshot: SnapshotOptions

    @Option(help: ArgumentHelp("Leak detector: trend or consecutive-growth.", valueName: "name"))
    var detector: DetectorKind = .trend

    @Option(help: ArgumentHelp("Take a snapshot at once when the heap after a full GC passes this share of the heap limit.", valueName: "share"))
    var heapLimitShare: Double = 0.85

    @Option(help: ArgumentHelp("Seconds between /proc samples.", valueName: "seconds"))
    var sampleInterval: Double = 1

    @Option(help: ArgumentHelp("Seconds between SIGTERM and SIGKILL when stopping the app.", valueName: "seconds"))
    var stopTimeout: Double = 10

    @Flag(help: "Pass V8's GC trace lines through to stdout too.")
    var keepGcTrace = false

    @Flag(help: "Decide and record, but send no signal: log the snapshots that would be taken.")
    var dryRun = false

    @Flag(name: .customLong("no-heapsnapshot-signal"), help: "Leave node's --heapsnapshot-signal off (the app installs its own SIGUSR2 handler, e.g. the heapdump module).")
    var withoutSnapshotSignal = false

    @Argument(parsing: .postTerminator, help: "The command to run, after `--`.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command to run after `--`, e.g. `memwatchd run -- node app.js`") }
        if !(heapLimitShare > 0 && heapLimitShare <= 1) { throw ValidationError("--heap-limit-share must be in (0, 1]") }
        if !(sampleInterval > 0) { throw ValidationError("--sample-interval must be positive") }
        if !(stopTimeout >= 0) { throw ValidationError("--stop-timeout must not be negative") }
    }

    func run() async throws {
        let paths = try state.prepare(snapshotDirectory: snapshot.snapshotDir)
        // Watching is secondary: a store that cannot be used never keeps the app from starting.
        let (store, storeNotes) = EventStore.openForWatching(path: paths.state.eventStorePath)
        let preload = try Preload.write(into: paths.preload)
        let plan = NodeLaunchPlan(
            argv: command, environment: ProcessInfo.processInfo.environment,
            snapshotDirectory: paths.snapshots, preloadPath: preload, reportDirectory: paths.reports,
            switchOnSnapshotSignal: !withoutSnapshotSignal)
        // The user may have chosen node's --diagnostic-dir: snapshots appear there.
        if plan.diagnosticDirectory != paths.snapshots {
            try StateDirectory.prepareSnapshotDirectory(plan.diagnosticDirectory)
        }

        var supervision = Supervisor.Options()
        supervision.stopTimeout = .milliseconds(Int(stopTimeout * 1000))
        supervision.keepTrace = keepGcTrace
        let supervisor: Supervisor
        do {
            supervisor = try Supervisor(argv: plan.argv, environment: plan.environment, options: supervision)
        } catch {
            FileHandle.standardError.write(Data("memwatchd: \(error)\n".utf8))
            throw ExitCode(127)
        }

        let reporter = EventReporter(store: store, alerts: StderrAlertSink(rawTerminal: supervisor.holdsTerminalRaw))
        for note in storeNotes {
            await reporter.report(MemWatchEvent(time: Date(), type: .alert, reason: note))
        }
        var engineOptions = WatchEngine.Options()
        engineOptions.detector = detector
        engineOptions.heapLimitShare = heapLimitShare
        engineOptions.defaultHeapLimit = plan.heapLimit?.bytes
        engineOptions.reportDirectory = paths.reports
        engineOptions.snapshotSignal = plan.snapshotSignal
        let taker = SnapshotTaker(
            snapshotDirectory: plan.diagnosticDirectory, policy: snapshot.policy, reporter: reporter,
            signaller: dryRun ? DryRunSignaller() : PidfdSignaller())
        let engine = WatchEngine(
            options: engineOptions, scope: supervisor.scope, sources: [ChildOutputTraceSource(supervisor: supervisor)],
            reporter: reporter, snapshots: taker)
        let sampling = SamplingService(
            sampler: HostSampler(),
            interval: .milliseconds(Int(sampleInterval * 1000)), engine: engine)
        try await ServiceGroup.supervising(SupervisedCommand(supervisor), watchers: [sampling, engine]).run()
        let exit = await supervisor.exit()
        await reporter.report(MemWatchEvent(
            time: Date(), type: .exit, pid: supervisor.pid, reason: "\(command[0]) \(exit)",
            details: ["status": .int(Int64(exit.shellStatus))]))
        throw ExitCode(exit.shellStatus)
    }
}
