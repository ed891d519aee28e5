import Foundation
import Testing
import TestSupport
@testable import MemWatchCore

/// LineReader on real file descriptors: files and pipes, every buffer boundary.
@Suite struct GCTraceLineReaderTests {
    private static func lines(of bytes: [UInt8], bufferSize: Int) throws -> [String] {
        let path = try TemporaryFiles.file(Data(bytes), label: "linereader").path
        defer { TestRunDirectory.remove(path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var reader = LineReader(fileDescriptor: fd, bufferSize: bufferSize)
        var result: [String] = []
        try reader.forEachLine { result.append(String(decoding: $0, as: UTF8.self)) }
        return result
    }

    @Test(arguments: [2, 3, 7, 16, 64, 1 << 20])
    func splitsLinesAtEveryBufferSize(_ bufferSize: Int) throws {
        let text = "alpha\nbeta\r\n\ngamma delta\nlast without newline"
        let expected = ["alpha", "beta", "", "gamma delta", "last without newline"]
        let got = try Self.lines(of: Array(text.utf8), bufferSize: bufferSize)
        if bufferSize >= 24 {
            #expect(got == expected)
        } else {
            // Lines longer than the buffer come out cut to its size, the rest skipped.
            #expect(got.count == expected.count)
            for (line, whole) in zip(got, expected) {
                #expect(whole.hasPrefix(line) && line.utf8.count <= bufferSize)
            }
        }
    }

    @Test func emptyInputAndTrailingNewline() throws {
        #expect(try Self.lines(of: [], bufferSize: 16).isEmpty)
        #expect(try Self.lines(of: Array("one\n".utf8), bufferSize: 16) == ["one"])
        #expect(try Self.lines(of: Array("\n\n".utf8), bufferSize: 16) == ["", ""])
    }

    @Test func overlongLineIsCutAndTheNextLineIsIntact() throws {
        let long = String(repeating: "x", count: 100)
        let got = try Self.lines(of: Array("\(long)\nshort\n".utf8), bufferSize: 32)
        #expect(got == [String(repeating: "x", count: 32), "short"])
    }

    @Test func readsAPipeAsItIsWritten() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let writer = fds[1]
        let thread = Thread {
            for chunk in ["[1:0xab12cd]  5 ms: Scav", "enge 1.0 (2.0) -> 0.5 (2.0) MB, 0.10 / 0.00 ms  (average mu = 1.000, current mu = 1.000) task; \napp line\n", "tail"] {
                _ = chunk.withCString { write(writer, $0, strlen($0)) }
                usleep(2000)
            }
            close(writer)
        }
        thread.start()
        defer { close(fds[0]) }
        var reader = LineReader(fileDescriptor: fds[0], bufferSize: 256)
        var parser = GCTraceParser()
        var lines: [String] = []
        var events: [GCEvent] = []
        try reader.forEachLine { line in
            lines.append(String(decoding: line, as: UTF8.self))
            if let event = parser.parse(line)?.newEvent { events.append(event) }
        }
        #expect(lines.count == 3 && lines[1] == "app line" && lines[2] == "tail")
        #expect(events.count == 1 && events.first?.usedAfter == mb(0.5))
    }

    @Test func scannerCountsTheRecordedTrace() throws {
        let path = Fixtures.url("traces/node22/leak_global_list.verbose.log").path
        let lines = try GCTraceFixture.lines("traces/node22/leak_global_list.verbose.log").filter { !$0.isEmpty }
        let summary = try GCTraceFileScanner.scan(path: path)
        #expect(summary.lines == lines.count)
        #expect(summary.scavenges == lines.filter { $0.contains(" ms: Scavenge ") }.count)
        #expect(summary.markCompacts == lines.filter { $0.contains(" ms: Mark-Compact ") }.count)
        #expect(summary.appLines == 0)
    }

    @Test func scannerNamesAMissingFile() {
        #expect {
            _ = try GCTraceFileScanner.scan(path: "/nonexistent/gc.log")
        } throws: { error in
            "\(error)".contains("/nonexistent/gc.log") && "\(error)".contains("No such file")
        }
    }
}
