import Foundation
import Testing

@testable import MemWatchCore

/// Real trace lines recorded from node 20 and 22, mixed with app output that
/// looks like them in places (`[`, digits, colons) but is not.
@Suite struct SupervisionTraceOutputFilterTests {
    static let node20 = "[4248:0x3e89b800]       63 ms: Scavenge 3.9 (4.0) -> 3.1 (5.0) MB, 5.53 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; \n"
    static let node22 = "[10989:0x7f0574001000]      110 ms: Mark-Compact 14.9 (31.3) -> 14.2 (31.8) MB, pooled: 0 MB, 4.21 / 0.00 ms  (average mu = 0.958, current mu = 0.958) allocation failure; GC in old space requested\n"

    /// App output, trace lines and the expected result (app output only).
    static let mixed: (input: String, app: String, traces: Int) = {
        let parts: [(String, Bool)] = [
            ("Server listening on :8080\n", false),
            (node20, true),
            ("[info] request 1 done\n", false),
            ("[1, 2, 3]\n", false),
            ("Enter name: ", false),          // a prompt: partial line
            (node22, true),                    // trace right after it, same physical line
            ("[12:0xzz] not a trace\n", false),
            ("[42: 0xabc] 7 ms: close, but not V8's prefix\n", false),
            ("[7]\n", false),
            ("progress [=====>    ] 45%\r", false),
            (node20, true),
            ("[", false), ("1234", false), (":0x", false), ("\n", false),
            ("done. ümlaut ✓ [\n", false),
            (node22, true),
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

    @Test func recordedTraceFileIsRemovedEntirely() throws {
        let url = Fixtures.url("traces/node20/leak_global_list.log")
        let log = try Data(contentsOf: url)
        let lines = log.split(separator: UInt8(ascii: "\n")).count
        let app = Array("tick\n".utf8)
        var input: [UInt8] = []
        for line in log.split(separator: UInt8(ascii: "\n")) {
            input += line + [UInt8(ascii: "\n")] + app
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
