import Testing
@testable import MemWatchCore

/// The `<--- Last few GCs --->` block node prints on stderr when it dies of OOM
/// repeats GCs already traced on stdout: each collection counts once.
@Suite struct GCTraceRepeatedGCTests {
    private static func gcLines(_ lines: [Substring]) -> [Substring] {
        lines.filter { $0.contains(" ms: Scavenge") || $0.contains(" ms: Mark-") || $0.contains(" ms: Minor ") }
    }

    private static func tally(_ lines: [Substring], into parser: inout GCTraceParser) -> (new: Int, repeated: Int) {
        var new = 0, repeated = 0
        for line in lines {
            switch parser.parse(line) {
            case .gc?: new += 1
            case .repeatedGC?: repeated += 1
            default: break
            }
        }
        return (new, repeated)
    }

    @Test(arguments: [20, 22, 24])
    func mergedOutputCountsEachGCOnce(_ version: Int) throws {
        let stdout = try GCTraceFixture.lines("gc-lines/node\(version)-oom.stdout.log")
        let merged = try GCTraceFixture.lines("gc-lines/node\(version)-oom.merged.log")
        var parser = GCTraceParser()
        let counts = Self.tally(merged, into: &parser)
        let uniqueStamps = Set(Self.gcLines(merged).map { $0.split(separator: ":", maxSplits: 2)[1] })
        #expect(counts.new == uniqueStamps.count)
        #expect(counts.repeated == Self.gcLines(merged).count - uniqueStamps.count)
        #expect(counts.repeated >= 1)
        // Same process, same shape of run: stdout alone traced as many GCs.
        #expect(Self.gcLines(stdout).count > 0)
    }

    @Test(arguments: [20, 22, 24])
    func stdoutThenStderrThroughOneParser(_ version: Int) throws {
        let stdout = try GCTraceFixture.lines("gc-lines/node\(version)-oom.stdout.log")
        let stderr = try GCTraceFixture.lines("gc-lines/node\(version)-oom.stderr.log")
        var parser = GCTraceParser()
        let fromStdout = Self.tally(stdout, into: &parser)
        let fromStderr = Self.tally(stderr, into: &parser)
        #expect(fromStdout.new == Self.gcLines(stdout).count && fromStdout.repeated == 0)
        #expect(fromStderr.new == 0 && fromStderr.repeated == Self.gcLines(stderr).count)
    }

    @Test func stderrAloneStillReportsTheBlocksGCs() throws {
        // Without --trace-gc on stdout the block is the only record of those GCs.
        let stderr = try GCTraceFixture.lines("gc-lines/node22-oom.stderr.log")
        var parser = GCTraceParser()
        let counts = Self.tally(stderr, into: &parser)
        #expect(counts.new == Self.gcLines(stderr).count && counts.new > 0)
    }

    @Test func aLaterGCOfAnotherIsolateInsideTheBlockIsNew() {
        var parser = GCTraceParser()
        let main = "[9:0x1000]      100 ms: Mark-Compact 20.0 (22.0) -> 19.9 (22.0) MB, 10.00 / 0.00 ms  (average mu = 0.2, current mu = 0.1) allocation failure; scavenge might not succeed"
        let worker = "[9:0x2000]      101 ms: Scavenge 2.0 (3.0) -> 1.0 (3.0) MB, 0.50 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; "
        #expect(parser.parse(main)?.newEvent != nil)
        #expect(parser.parse("<--- Last few GCs --->") == nil)
        #expect(parser.parse("") == nil)
        #expect(parser.parse(main) == .repeatedGC(gcEvent(main)!))
        #expect(parser.parse(worker)?.newEvent != nil)
        #expect(parser.parse("<--- JS stacktrace --->") == nil)
        // After the block a reused pid and isolate with an earlier stamp is a new process.
        #expect(parser.parse(main)?.newEvent != nil)
    }

    @Test func workerIsolatesAreTold() throws {
        let lines = try GCTraceFixture.lines("gc-lines/node24-workers.log")
        var parser = GCTraceParser()
        let isolates = Set(lines.compactMap { parser.parse($0)?.newEvent?.id })
        #expect(isolates.count == 3)
        #expect(Set(isolates.map(\.pid)).count == 1)
    }
}
