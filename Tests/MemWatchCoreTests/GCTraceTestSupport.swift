import Foundation
@testable import MemWatchCore

/// Shared helpers for the GC trace parser tests.
enum GCTraceFixture {
    /// The lines of a fixture file, without the `#` header/comment lines the
    /// hand-assembled fixtures carry.
    static func lines(_ path: String) throws -> [Substring] {
        // Split bytes, not Characters: "\r\n" is one Character and must stay visible.
        let data = try Fixtures.data(path)
        return data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { Substring(String(decoding: $0, as: UTF8.self)) }
            .filter { !$0.hasPrefix("#") }
    }

    /// The one line of `path` that contains `marker`.
    static func line(_ path: String, containing marker: String) throws -> String {
        let matches = try lines(path).filter { $0.contains(marker) }
        guard matches.count == 1 else {
            throw FixtureError(message: "\(path): \(matches.count) lines contain \(marker)")
        }
        return String(matches[0])
    }

    struct FixtureError: Error, CustomStringConvertible { var message: String; var description: String { message } }
}

/// Bytes for a figure V8 printed in MB with one decimal (`%.1f`), e.g. `mb(41.1)`.
func mb(_ figure: Double) -> Int64 { Int64((figure * 1_048_576).rounded()) }

/// Parses one line with a fresh parser.
func parseLine(_ line: String) -> GCTraceRecord? {
    var parser = GCTraceParser()
    return parser.parse(line)
}

func gcEvent(_ line: String) -> GCEvent? { parseLine(line)?.newEvent }

/// A small deterministic generator so fuzz runs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
