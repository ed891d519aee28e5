import Glibc

/// How memwatchd starts the user's command so every node process under it
/// prints its GC trace and writes a heap snapshot on a signal (SIGUSR2 unless
/// the user chose another).
///
/// node itself gets the flags on its command line, right after the binary.
/// Anything else (`npm start`, a shell script) reaches node through
/// `NODE_OPTIONS`, which refuses `--trace-gc`: there the preload switches the
/// trace on. NODE_OPTIONS is set in both cases so node processes the command
/// spawns itself (`child_process.spawn('node')`, shell wrappers) are covered too.
public struct NodeLaunchPlan: Sendable, Equatable {
    /// What to execute: `argv[0]` is looked up in PATH.
    public var argv: [String]
    public var environment: [String: String]
    /// The signal that makes node write a heap snapshot: SIGUSR2 unless the
    /// user chose another with `--heapsnapshot-signal`.
    public var snapshotSignal: Int32
    /// Where node writes snapshots: the snapshot dir unless the user gave
    /// `--diagnostic-dir` on the node command line.
    public var diagnosticDirectory: String
    /// Whether argv[0] is node and got the flags directly.
    public var isDirectNode: Bool
    /// The heap limit the user set, if any.
    public var heapLimit: NodeHeapLimitOption?

    /// The environment variable naming the directory the preload writes its
    /// per-process reports into.
    public static let reportDirectoryVariable = "MEMWATCHD_REPORT_DIR"
    /// The environment variable naming where worker threads write their own
    /// heap snapshots when asked.
    public static let snapshotDirectoryVariable = "MEMWATCHD_SNAPSHOT_DIR"

    public init(
        argv userArgv: [String], environment userEnvironment: [String: String],
        snapshotDirectory: String, preloadPath: String, reportDirectory: String? = nil,
        switchOnSnapshotSignal: Bool = true
    ) {
        precondition(!userArgv.isEmpty, "NodeLaunchPlan needs a command")
        var argv = userArgv
        var environment = userEnvironment
        let direct = Self.isNodeBinary(userArgv[0])
        let givenOnArgv = direct ? NodeCommandLine.options(in: userArgv.dropFirst()) : []
        let givenNames = Set(givenOnArgv.map(NodeCommandLine.name(of:)))
        let inheritedOptions = NodeOptionsSyntax.split(userEnvironment["NODE_OPTIONS"] ?? "")
        let inheritedNames = Set(inheritedOptions.map(NodeCommandLine.name(of:)))

        let userSignal =
            NodeCommandLine.value(of: "--heapsnapshot-signal", in: givenOnArgv)
            ?? NodeCommandLine.value(of: "--heapsnapshot-signal", in: inheritedOptions)
        let userDirectory =
            NodeCommandLine.value(of: "--diagnostic-dir", in: givenOnArgv)
            ?? NodeCommandLine.value(of: "--diagnostic-dir", in: inheritedOptions)
        let snapshotFlag = "--heapsnapshot-signal=SIGUSR2"
        let directoryFlag = "--diagnostic-dir=\(snapshotDirectory)"

        if direct {
            var inserted: [String] = []
            if !givenNames.contains("--trace-gc") { inserted.append("--trace-gc") }
            if userSignal == nil && switchOnSnapshotSignal { inserted.append(snapshotFlag) }
            if userDirectory == nil { inserted.append(directoryFlag) }
            inserted += ["--require", preloadPath]
            argv.insert(contentsOf: inserted, at: 1)
        }
        var appended = ["--require", preloadPath]
        if userSignal == nil && switchOnSnapshotSignal && !inheritedNames.contains("--heapsnapshot-signal") {
            appended.append(snapshotFlag)
        }
        if userDirectory == nil && !inheritedNames.contains("--diagnostic-dir") {
            appended.append(directoryFlag)
        }
        environment["NODE_OPTIONS"] = NodeOptionsSyntax.append(
            appended, to: userEnvironment["NODE_OPTIONS"])
        if let reportDirectory {
            environment[Self.reportDirectoryVariable] = reportDirectory
            environment[Self.snapshotDirectoryVariable] = userDirectory ?? snapshotDirectory
        }

        self.argv = argv
        self.environment = environment
        self.snapshotSignal = userSignal.flatMap(SignalName.number) ?? SIGUSR2
        self.diagnosticDirectory = userDirectory ?? snapshotDirectory
        self.isDirectNode = direct
        self.heapLimit = NodeHeapLimitOption.find(argv: userArgv, environment: userEnvironment)
    }

    /// `node`, `nodejs`, `node20`, or a path ending in one of them.
    public static func isNodeBinary(_ command: String) -> Bool {
        let base = command.split(separator: "/").last.map(String.init) ?? command
        if base == "nodejs" { return true }
        guard base.hasPrefix("node") else { return false }
        return base.dropFirst(4).allSatisfy { $0.isASCII && $0.isNumber }
    }
}
