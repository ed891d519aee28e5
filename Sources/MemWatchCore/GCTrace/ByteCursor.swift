#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read position inside one line's bytes, with the few scanning steps the
/// trace grammar needs. Numbers are parsed by hand: no `String`, no Foundation.
struct ByteCursor {
    var position: UnsafePointer<UInt8>
    let end: UnsafePointer<UInt8>

    init(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) {
        self.position = start
        self.end = end
    }

    @inline(__always) var isAtEnd: Bool { position >= end }
    @inline(__always) var remaining: Int { end - position }

    /// The current byte, or 0 at the end (0 never matches what callers look for).
    @inline(__always) var current: UInt8 { position < end ? position.pointee : 0 }

    @inline(__always) func byte(at offset: Int) -> UInt8 {
        offset < end - position ? position[offset] : 0
    }

    @inline(__always) mutating func advance(_ count: Int = 1) { position += count }

    @inline(__always) mutating func skip(_ byte: UInt8) -> Bool {
        guard position < end, position.pointee == byte else { return false }
        position += 1
        return true
    }

    /// Skips `literal` if the bytes here spell it.
    @inline(__always) mutating func skip(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard end - position >= count, memcmp(position, literal.utf8Start, count) == 0 else { return false }
        position += count
        return true
    }

    @inline(__always) func startsWith(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        return end - position >= count && memcmp(position, literal.utf8Start, count) == 0
    }

    @inline(__always) mutating func skipSpaces() {
        while position < end, position.pointee == UInt8(ascii: " ") || position.pointee == UInt8(ascii: "\t") {
            position += 1
        }
    }

    /// Moves to the next occurrence of `byte`; false (and unmoved) if none.
    @inline(__always) mutating func seek(_ byte: UInt8) -> Bool {
        guard position < end, let found = memchr(position, Int32(byte), end - position) else { return false }
        position = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
        return true
    }

    /// A decimal number as printed by `%d`/`%.Nf`: digits, optionally a `.` or a
    /// locale's `,` and more digits. A separator not followed by a digit is not
    /// part of the number (`MB, ` after a figure). Nil when no digit is here or
    /// the figure is implausibly long for a trace (keeps arithmetic in range).
    @inline(__always) mutating func decimal() -> DecimalFigure? {
        var p = position
        var mantissa: Int64 = 0
        var digits = 0
        while p < end, case let d = p.pointee &- 48, d < 10 {
            mantissa = mantissa &* 10 &+ Int64(d)
            digits += 1
            p += 1
        }
        guard digits > 0, digits <= 15 else { return nil }
        var scale = 0
        if end - p >= 2, p.pointee == UInt8(ascii: ".") || p.pointee == UInt8(ascii: ","), p[1] &- 48 < 10 {
            p += 1
            while p < end, case let d = p.pointee &- 48, d < 10 {
                mantissa = mantissa &* 10 &+ Int64(d)
                scale += 1
                digits += 1
                p += 1
            }
            guard digits <= 15 else { return nil }
        }
        position = p
        return DecimalFigure(mantissa: mantissa, scale: scale)
    }

    /// A plain unsigned integer (`%zu`, `%d`).
    @inline(__always) mutating func integer() -> Int64? {
        var p = position
        var value: Int64 = 0
        var digits = 0
        while p < end, case let d = p.pointee &- 48, d < 10 {
            value = value &* 10 &+ Int64(d)
            digits += 1
            p += 1
        }
        guard digits > 0, digits <= 18 else { return nil }
        position = p
        return value
    }

    /// Hex digits, upper or lower case (`%p` prints no `0x` on Windows).
    @inline(__always) mutating func hex() -> UInt64? {
        var p = position
        var value: UInt64 = 0
        var digits = 0
        while p < end {
            let c = p.pointee
            let nibble: UInt8
            if c &- 48 < 10 { nibble = c &- 48 }
            else if c | 0x20 &- 97 < 6 { nibble = (c | 0x20) &- 87 }
            else { break }
            value = value &<< 4 | UInt64(nibble)
            digits += 1
            p += 1
        }
        guard digits > 0, digits <= 16 else { return nil }
        position = p
        return value
    }
}

/// A figure read from the trace, kept exact: `mantissa / 10^scale`.
struct DecimalFigure: Equatable {
    var mantissa: Int64
    var scale: Int

    private static let powersOfTen: [Int64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000,
        10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000, 100_000_000_000,
        1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000]

    var value: Double { Double(mantissa) / Double(Self.powersOfTen[scale]) }

    /// The figure times `unit` (e.g. bytes in a MB), rounded to a whole
    /// number; nil if that does not fit (never a real heap size).
    @inline(__always) func scaled(by unit: Int64) -> Int64? {
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: unit)
        guard !overflow, product < Int64.max / 2 else { return nil }
        let divisor = Self.powersOfTen[scale]
        return (product + divisor / 2) / divisor
    }
}
