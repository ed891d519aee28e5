import Glibc
import Testing

@testable import MemWatchCore

@Suite struct SupervisionNodeLaunchPlanTests {
    let preload = "/var/lib/memwatchd/preload/memwatchd-preload.cjs"

    func plan(_ argv: [String], _ environment: [String: String] = [:], dir: String = "/snap") -> NodeLaunchPlan {
        NodeLaunchPlan(argv: argv, environment: environment, snapshotDirectory: dir, preloadPath: preload)
    }

    @Test(arguments: ["node", "nodejs", "/usr/bin/node", "/opt/node/bin/node22", "./node20"])
    func recognisesNodeBinaries(_ binary: String) {
        #expect(NodeLaunchPlan.isNodeBinary(binary))
    }

    @Test(arguments: ["npm", "sh", "/usr/bin/nodemon", "node-gyp", "nodeX", "/node/bin/npx"])
    func otherCommandsAreNotNode(_ binary: String) {
        #expect(!NodeLaunchPlan.isNodeBinary(binary))
    }

    @Test func nodeGetsFlagsRightAfterTheBinary() {
        let p = plan(["node", "app.js", "--port", "80"])
        #expect(p.isDirectNode)
        #expect(p.argv == [
            "node", "--trace-gc", "--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=/snap",
            "--require", preload, "app.js", "--port", "80",
        ])
        #expect(p.environment["NODE_OPTIONS"]
            == "--require \(preload) --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=/snap")
        #expect(p.snapshotSignal == SIGUSR2)
        #expect(p.diagnosticDirectory == "/snap")
    }

    @Test func flagsTheUserGaveAreNotRepeated() {
        let p = plan(["/usr/bin/node", "--trace_gc", "--diagnostic-dir", "/mine", "--heapsnapshot-signal=SIGUSR1", "app.js"])
        #expect(p.argv == [
            "/usr/bin/node", "--require", preload,
            "--trace_gc", "--diagnostic-dir", "/mine", "--heapsnapshot-signal=SIGUSR1", "app.js",
        ])
        #expect(p.snapshotSignal == SIGUSR1)
        #expect(p.diagnosticDirectory == "/mine")
        #expect(p.environment["NODE_OPTIONS"] == "--require \(preload)")
    }

    @Test func appArgumentsThatLookLikeFlagsAreTheApps() {
        let p = plan(["node", "app.js", "--trace-gc", "--diagnostic-dir=/x"])
        #expect(p.argv.prefix(4) == ["node", "--trace-gc", "--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=/snap"])
        #expect(p.diagnosticDirectory == "/snap")
        let eval = plan(["node", "-e", "console.log(1)", "--trace-gc"])
        #expect(eval.argv[1] == "--trace-gc")
    }

    @Test func wrappersGoThroughNodeOptions() {
        let p = plan(["npm", "start"], ["NODE_OPTIONS": "--max-old-space-size=512", "PATH": "/bin"])
        #expect(!p.isDirectNode)
        #expect(p.argv == ["npm", "start"])
        #expect(p.environment["NODE_OPTIONS"]
            == "--max-old-space-size=512 --require \(preload) --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=/snap")
        #expect(p.environment["PATH"] == "/bin")
        #expect(p.heapLimit == NodeHeapLimitOption(megabytes: 512))
    }

    @Test func pathsWithSpacesAreQuotedForNodeOptions() {
        let p = NodeLaunchPlan(
            argv: ["sh", "-c", "node app.js"], environment: [:],
            snapshotDirectory: "/my snaps/\"x\"", preloadPath: "/state dir/preload.cjs",
            reportDirectory: "/state dir/procs")
        let options = p.environment["NODE_OPTIONS"]!
        #expect(options == #"--require "/state dir/preload.cjs" --heapsnapshot-signal=SIGUSR2 "--diagnostic-dir=/my snaps/\"x\"""#)
        #expect(NodeOptionsSyntax.split(options) == [
            "--require", "/state dir/preload.cjs", "--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=/my snaps/\"x\"",
        ])
        #expect(p.environment[NodeLaunchPlan.reportDirectoryVariable] == "/state dir/procs")
        #expect(p.environment[NodeLaunchPlan.snapshotDirectoryVariable] == "/my snaps/\"x\"")
    }

    @Test func userSignalInNodeOptionsIsKept() {
        let p = plan(["sh", "run.sh"], ["NODE_OPTIONS": "--heapsnapshot-signal=SIGUSR1"])
        #expect(p.snapshotSignal == SIGUSR1)
        #expect(p.environment["NODE_OPTIONS"] == "--heapsnapshot-signal=SIGUSR1 --require \(preload) --diagnostic-dir=/snap")
    }

    @Test func heapLimitFromArgvAndNodeOptions() {
        #expect(NodeHeapLimitOption.find(argv: ["node", "--max-old-space-size=64", "a.js"], environment: [:])?.bytes == 64 << 20)
        #expect(NodeHeapLimitOption.find(argv: ["node", "--max_old_space_size", "96", "a.js"], environment: [:])?.megabytes == 96)
        // The command line comes after NODE_OPTIONS, so it wins.
        #expect(NodeHeapLimitOption.find(
            argv: ["node", "--max-old-space-size=200", "a.js"],
            environment: ["NODE_OPTIONS": "--max-old-space-size=100"])?.megabytes == 200)
        #expect(NodeHeapLimitOption.find(argv: ["npm", "start"], environment: ["NODE_OPTIONS": "--max_old_space_size=300"])?.megabytes == 300)
        // An app's own argument is not node's option.
        #expect(NodeHeapLimitOption.find(argv: ["node", "a.js", "--max-old-space-size=5"], environment: [:]) == nil)
        #expect(NodeHeapLimitOption.find(argv: ["node", "--max-old-space-size=lots", "a.js"], environment: [:]) == nil)
    }

    @Test func nodeOptionsSyntaxRoundTrips() {
        let words = ["plain", "with space", "quote\"inside", "back\\slash", ""]
        let joined = NodeOptionsSyntax.append(words, to: nil)
        #expect(NodeOptionsSyntax.split(joined) == words)
        #expect(NodeOptionsSyntax.split("  -r  a.js   --x=\"1 2\"") == ["-r", "a.js", "--x=1 2"])
    }
}
