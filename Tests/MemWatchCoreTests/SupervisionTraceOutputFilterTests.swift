import Foundation
import Testing

@testable import MemWatchCore

/// Real trace lines recorded from node 20 and 22, mixed with app output that
/// looks like them in places (`[`, digits, colons) but is not.
@Suite struct SupervisionTraceOutputFilterTests {
    static let node20 = "[4248:0x3e89b800]       63 ms: Scavenge 3.9 (4.0) -> 3.1 (5.0) MB, 5.53 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; \n"
    static let node22 = "[10989:0x7f0574001000]      110 ms: Mark-Compact 14.9 (31.3) -> 14.2 (31.8) MB, pooled: 0 MB, 4.21 / 0.00 ms  (average mu = 0.958, current mu = 0.958) allocation failure; GC in old space requested\n"
    /// Node 24's `--trace-gc-nvp` prefix carries a third field.
    static let node24NVP = "[4647:0x1e6c3000:0]       33 ms: pause=1.4 mutator=28.5 gc=s reduce_memory=0 time_to_safepoint=0.00 heap.prologue=0.00 heap.epilogue=0.00 heap.external.prologue=0.00 heap.external.epilogue=0.00 heap.external_weak_global_handles=0.00 fast_promote=0.00 complete.sweep_array_buffers=0.00 scavenge=1.23 total_size_before=4733264 total_size_after=3987712 holes_size_before=119592 holes_size_after=140768 allocated=4733264 promoted=0 new_space_survived=1003976 nodes_died_in_new=0 nodes_copied_in_new=0 nodes_promoted=0 promotion_ratio=0.0% average_survival_ratio=92.0% promotion_rate=0.0% new_space_survive_rate=92.0% new_space_allocation_throughput=0.0 unmapped_chunks=0\n"
    /// Node 26's `--trace-gc-nvp` prints this one with a newline in the middle.
    static let node26MemoryPool = "[32234:0x4551b000:0]       40 ms: Memory pool: Removed pages: 0, removed large pages: 0\n, removed zone reservations: 0\n"

    /// App output, trace lines and the expected result (app output only).
    static let mixed: (input: String, app: String, traces: Int) = {
        let parts: [(String, Bool)] = [
            ("Server listening on :8080\n", false),
            (node20, true),
            ("[info] request 1 done\n", false),
            ("[1, 2, 3]\n", false),
            ("Enter name: ", false),          // a prompt: partial line
            ("bob\n", false),
            (node22, true),
            ("[12:0xzz] not a trace\n", false),
            ("[42: 0xabc] 7 ms: close, but not V8's prefix\n", false),
            ("[7]\n", false),
            ("progress [=====>    ] 45%\r", false),
            (node20, true),
            ("[", false), ("1234", false), (":0x", false), ("\n", false),
            ("done. ümlaut ✓ [\n", false),
            (node22, true),
            (node24NVP, true),
            (", removed zone reservations: 3\n", false),  // not after V8's memory pool line: the app's
            (node26MemoryPool, true),          // one record, two lines
            ("[9:0xab:]\n", false),
            ("last partial [12:0x1", false),   // ends the stream mid-candidate
        ]
        var input = "", app = "", traces = 0
        for (text, isTrace) in parts {
            input += text
            if isTrace { traces += 1 } else { app += text }
        }
        return (input, app, traces)
    }()

    static func run(_ chunks: [[UInt8]], keepTrace: Bool = false) -> (app: [UInt8], records: Int) {
        var filter = TraceOutputFilter(keepTrace: keepTrace)
        var output = TraceOutputFilter.Output()
        var app: [UInt8] = []
        var records = 0
        for chunk in chunks {
            chunk.withUnsafeBytes { filter.feed($0, into: &output) }
            app += output.app
            records += output.records.count
            output.removeAll()
        }
        filter.flush(into: &output)
        app += output.app
        return (app, records)
    }

    @Test func removesTraceLinesAndKeepsEverythingElse() {
        let result = Self.run([Array(Self.mixed.input.utf8)])
        #expect(String(decoding: result.app, as: UTF8.self) == Self.mixed.app)
        #expect(result.records == Self.mixed.traces)
    }

    @Test func sameResultForEveryChunkBoundary() {
        let bytes = Array(Self.mixed.input.utf8)
        let expected = Array(Self.mixed.app.utf8)
        for cut in 0...bytes.count {
            let result = Self.run([Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(result.app == expected, "cut at \(cut)")
            #expect(result.records == Self.mixed.traces, "cut at \(cut)")
        }
    }

    @Test func sameResultForEveryPairOfBoundaries() {
        let bytes = Array(Self.mixed.input.utf8)
        let expected = Array(Self.mixed.app.utf8)
        for first in stride(from: 0, through: bytes.count, by: 7) {
            for second in first...bytes.count {
                let result = Self.run([
                    Array(bytes[..<first]), Array(bytes[first..<second]), Array(bytes[second...]),
                ])
                #expect(result.app == expected, "cuts at \(first), \(second)")
            }
        }
    }

    @Test func byteAtATime() {
        let bytes = Array(Self.mixed.input.utf8)
        let result = Self.run(bytes.map { [$0] })
        #expect(result.app == Array(Self.mixed.app.utf8))
        #expect(result.records == Self.mixed.traces)
    }

    @Test func keepTraceForwardsEverything() {
        let bytes = Array(Self.mixed.input.utf8)
        for cut in stride(from: 0, through: bytes.count, by: 5) {
            let result = Self.run([Array(bytes[..<cut]), Array(bytes[cut...])], keepTrace: true)
            #expect(result.app == bytes, "cut at \(cut)")
            #expect(result.records == Self.mixed.traces)
        }
    }

    @Test func splitMemoryPoolLineIsRemovedFromALargeRead() {
        // One read holding the line pair and more app output than the longest trace line.
        let app = String(repeating: "app output line\n", count: 8192)
        for keepTrace in [false, true] {
            let result = Self.run([Array((Self.node26MemoryPool + app).utf8)], keepTrace: keepTrace)
            #expect(String(decoding: result.app, as: UTF8.self) == (keepTrace ? Self.node26MemoryPool : "") + app)
            #expect(result.records == 1)
        }
    }

    /// V8 prints its line after a prompt the app wrote earlier (`Enter name: `):
    /// a read that starts with it holds V8's line alone.
    @Test func traceLineAfterAPromptOfAnEarlierReadIsRemoved() {
        for prompt in ["Enter name: ", "42% [=====     ]\r"] {
            let result = Self.run([Array(prompt.utf8), Array(Self.node22.utf8), Array("bob\n".utf8)])
            #expect(String(decoding: result.app, as: UTF8.self) == prompt + "bob\n")
            #expect(result.records == 1)
        }
    }

    /// Text that quotes a trace line inside one write is the app's line, byte
    /// for byte: a chat message, a log relay's prefix before a child's line.
    @Test func traceLookingTextInsideAnAppLineStaysWhole() {
        let quoted = "user said: [1:0x1]       5 ms: Scavenge 1.0 (2.0) -> 0.5 (2.0) MB, 0.10 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; \n"
        let relayed = "[0] " + Self.node20
        for line in [quoted, relayed] {
            let input = Array(("before\n" + line + "after\n").utf8)
            #expect(Self.run([input]).app == input)
            #expect(Self.run([Array(input[..<7]), Array(input[7...])]).app == input, "a read starting the line")
        }
        // The relayed line is a watched process's collection all the same.
        #expect(Self.run([Array(relayed.utf8)]).records == 1)
    }

    /// Lines naming a process memwatchd does not watch are app output, however V8-like.
    @Test func linesOfUnwatchedPidsAreAppOutput() {
        var filter = TraceOutputFilter(admits: { $0 == 4248 })  // node20's pid, not node22's
        var output = TraceOutputFilter.Output()
        let input = Array((Self.node20 + Self.node22 + "end\n").utf8)
        input.withUnsafeBytes { filter.feed($0, into: &output) }
        filter.flush(into: &output)
        #expect(String(decoding: output.app, as: UTF8.self) == Self.node22 + "end\n")
        #expect(output.records.map(\.isolate.pid) == [4248])
    }

    /// From a packet-mode pipe each feed is one write: `--trace-gc-verbose`
    /// writes a line as its prefix and then the rest; a prefix V8 wrote with
    /// no rest is its own too; an app's open tail stays the app's.
    @Test func writesFromAPacketPipe() {
        func run(_ writes: [String]) -> (app: String, records: Int) {
            var filter = TraceOutputFilter(feedsAreWrites: true)
            var output = TraceOutputFilter.Output()
            for write in writes {
                Array(write.utf8).withUnsafeBytes { filter.feed($0, into: &output) }
                filter.flush(into: &output)  // as after a pause: the prefix waits on
            }
            filter.finish(into: &output)
            return (String(decoding: output.app, as: UTF8.self), output.records.count)
        }
        let prefix = "[4248:0x3e89b800] ", stamped = "[4248:0x3e89b800]      171 ms: "
        #expect(run(["Enter: ", prefix, "Old space,              used:   2476 KB, available:      7 KB, committed:   2528 KB\n", "bob\n"])
            == ("Enter: bob\n", 1))
        #expect(run([stamped, "[HeapController] factor 4.0 based on mu=0.970\n"]) == ("", 1))
        #expect(run([prefix, "(*) Sweeping is still in progress, making available sizes inaccurate.\n"]) == ("", 1))
        #expect(run(["Enter: ", prefix, "partial", " rest\n"]) == ("Enter: partial rest\n", 0))
        // A prefix whose rest V8's stdio held back: the app's next line is not taken for it.
        #expect(run(["Enter: partial", prefix, " rest ü ✓\n"]) == ("Enter: partial rest ü ✓\n", 0))
        #expect(run(["Enter: ", prefix]) == ("Enter: ", 0))
        // The app's own open tail: never joined to what the next write brings.
        #expect(run(["[4248:0x3e89b800] my own text, ", "continued\n"]) == ("[4248:0x3e89b800] my own text, continued\n", 0))
    }

    @Test func partialAppLinesAreReleasedAtOnce() {
        var filter = TraceOutputFilter()
        var output = TraceOutputFilter.Output()
        for prompt in ["Enter name: ", "42% [=====     ]", "a [ b", "x[1"] {
            Array(prompt.utf8).withUnsafeBytes { filter.feed($0, into: &output) }
            let held = filter.isHolding
            filter.flush(into: &output)
            #expect(String(decoding: output.app, as: UTF8.self) == prompt)
            // Only a tail that could begin a trace line is ever held.
            #expect(held == prompt.hasSuffix("[1"))
            output.removeAll()
        }
    }

    @Test func traceLinesFromPtyEndInCarriageReturn() {
        let input = "hello\r\n" + Self.node20.replacingOccurrences(of: "\n", with: "\r\n") + "bye\r\n"
        let result = Self.run([Array(input.utf8)])
        #expect(String(decoding: result.app, as: UTF8.self) == "hello\r\nbye\r\n")
        #expect(result.records == 1)
    }

    /// Every flag's output from every Node version, app lines between.
    @Test(arguments: ["node20", "node22", "node24", "node26"].flatMap { version in
        ["", ".nvp", ".verbose"].map { "traces/\(version)/leak_global_list\($0).log" }
    })
    func recordedTraceFileIsRemovedEntirely(_ path: String) throws {
        let url = Fixtures.url(path)
        let text = try String(contentsOf: url, encoding: .utf8)
        // Node 26 prints one `--trace-gc-nvp` line as two (see `node26MemoryPool`).
        let log = Data(text.replacingOccurrences(of: "\n, removed zone reservations", with: ", removed zone reservations").utf8)
        let lines = log.split(separator: UInt8(ascii: "\n")).count
        let app = Array("tick\n".utf8)
        var input: [UInt8] = []
        for line in log.split(separator: UInt8(ascii: "\n")) {
            let original = String(decoding: line, as: UTF8.self)
                .replacingOccurrences(of: ", removed zone reservations", with: "\n, removed zone reservations")
            input += Array(original.utf8) + [UInt8(ascii: "\n")] + app
        }
        for size in [1000, 4096, 65536] {
            let chunks = stride(from: 0, to: input.count, by: size).map {
                Array(input[$0..<min($0 + size, input.count)])
            }
            let result = Self.run(chunks)
            #expect(result.app == Array(repeating: app, count: lines).flatMap { $0 })
            #expect(result.records == lines)
        }
    }
}
