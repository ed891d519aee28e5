import ArgumentParser
import Foundation
import MemWatchCore

/// Hidden: the supervision pieces of `memwatchd run` (launch plan, preload,
/// supervisor, output filter) without detectors, for the integration tests
/// and the pass-through benchmark until `run` wires everything together.
struct SuperviseHarnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_supervise",
        abstract: "Run a command under the supervisor only (tests, benchmarks).",
        shouldDisplay: false)

    @Option(help: "State directory: preload and process reports go here.")
    var stateDir: String

    @Option(help: "Snapshot directory (default <state-dir>/snapshots).")
    var snapshotDir: String?

    @Option(help: "Seconds between SIGTERM and SIGKILL when stopping.")
    var stopTimeout: Double = 10

    @Flag(help: "Forward GC trace lines to stdout too.")
    var keepGcTrace = false

    @Option(help: "auto, pipe or pty.")
    var terminal: String = "auto"

    @Option(help: "Append one line 'pid isolate' per GC to this file.")
    var recordsOut: String?

    @Argument(parsing: .postTerminator)
    var command: [String]

    func run() async throws {
        guard !command.isEmpty else { throw ValidationError("give a command after --") }
        let snapshots = snapshotDir ?? stateDir + "/snapshots"
        let reports = stateDir + "/procs"
        for directory in [snapshots, reports] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let preload = try Preload.write(into: stateDir + "/preload")
        let plan = NodeLaunchPlan(
            argv: command, environment: ProcessInfo.processInfo.environment,
            snapshotDirectory: snapshots, preloadPath: preload, reportDirectory: reports)

        var options = Supervisor.Options()
        options.stopTimeout = .milliseconds(Int(stopTimeout * 1000))
        options.keepTrace = keepGcTrace
        options.terminal = terminal == "pipe" ? .pipe : terminal == "pty" ? .pty : .automatic
        let supervisor: Supervisor
        do {
            supervisor = try Supervisor(argv: plan.argv, environment: plan.environment, options: options)
        } catch {
            FileHandle.standardError.write(Data("memwatchd: \(error)\n".utf8))
            throw ExitCode(127)
        }
        let recordsOut = recordsOut
        let records = Task {
            var lines = ""
            for await record in supervisor.traceRecords {
                if case .gc(let event) = record { lines += "\(event.id.pid) \(event.id.isolateHex)\n" }
            }
            if let recordsOut { try? lines.write(toFile: recordsOut, atomically: true, encoding: .utf8) }
        }
        let exit = await supervisor.exit()
        await records.value
        throw ExitCode(exit.shellStatus)
    }
}
