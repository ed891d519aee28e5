import Foundation
import Testing
import TestSupport
@testable import MemWatchCore

@Suite struct SnapshotFileCheckTests {
    /// The shape V8 writes: meta first, the strings array last.
    static let small = #"{"snapshot":{"meta":{"node_fields":["type","name"],"location_fields":["line","column"]},"node_count":2,"edge_count":0},"nodes":[9,1,0,0],"edges":[],"strings":["(GC roots)","say \"}]\" ok"]}"#

    static func check(_ text: String) throws -> SnapshotFileCheck.Result {
        let url = try TemporaryFiles.file(Data(text.utf8), label: "check", suffix: ".heapsnapshot")
        defer { TestRunDirectory.remove(url.path) }
        let fd = open(url.path, O_RDONLY)
        defer { close(fd) }
        return try SnapshotFileCheck.check(descriptor: fd)
    }

    /// A large snapshot: big enough for the head-and-tail path.
    static func large(trailing: String = "\n") -> String {
        let nodes = (0..<40_000).map(String.init).joined(separator: ",")
        let strings = (0..<2_000).map { #""s\#($0)""# }.joined(separator: ",\n")
        return #"{"snapshot":{"meta":{"location_fields":["line","column"]},"node_count":1},"nodes":[\#(nodes)],"edges":[],"strings":[\#(strings)]}\#(trailing)"#
    }

    @Test func wholeSmallSnapshot() throws {
        #expect(try Self.check(Self.small) == .whole)
        #expect(try Self.check("\n  " + Self.small + "\n") == .whole)
    }

    @Test func wholeLargeSnapshotIsJudgedFromHeadAndTail() throws {
        let text = Self.large()
        #expect(text.utf8.count > SnapshotFileCheck.fullScanLimit)
        #expect(try Self.check(text) == .whole)
        #expect(try Self.check(Self.large(trailing: "")) == .whole)
    }

    @Test(arguments: [0.999, 0.75, 0.5, 0.1])
    func truncatedLargeSnapshot(fraction: Double) throws {
        let bytes = Array(Self.large().utf8)
        let cut = String(decoding: bytes.prefix(Int(Double(bytes.count) * fraction)), as: UTF8.self)
        #expect(try Self.check(cut) == .truncated)
    }

    @Test func truncatedSmallSnapshotEvenWhereItEndsLikeOne() throws {
        // Cut right after meta closes: ends `"]}` like a whole file, but the document is open.
        let meta = #"{"snapshot":{"meta":{"location_fields":["line","column"]}"#
        #expect(try Self.check(meta) == .truncated)
        #expect(try Self.check(String(Self.small.dropLast())) == .truncated)
        #expect(try Self.check(#"{"snapshot":{"me"#) == .truncated)
    }

    @Test func largeFileEndingInsideAnEscapedQuoteIsTruncated() throws {
        var text = Self.large(trailing: "")
        text.removeLast(2)  // drop `]}`
        #expect(try Self.check(text + #","C:\\"]}"#) == .whole)  // ends with an escaped backslash, then the real quote
        #expect(try Self.check(text + #","say \"]}"#) == .truncated)  // cut inside a string after an escaped quote
    }

    @Test func otherFilesAreNotSnapshots() throws {
        #expect(try Self.check(#"{"nodes":[]}"#) == .notASnapshot)
        #expect(try Self.check("hello") == .notASnapshot)
        #expect(try Self.check(String(repeating: "x", count: 100_000)) == .notASnapshot)
        #expect(try Self.check("") == .empty)
    }
}
