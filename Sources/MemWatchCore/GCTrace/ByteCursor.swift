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
        guard startsWith(literal) else { return false }
        position += literal.utf8CodeUnitCount
        return true
    }

    // A byte loop, not memcmp: the literals are short and a libc call per
    // comparison costs more than the comparison.
    @inline(__always) func startsWith(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        end - position >= bytes.count && memcmp(position, bytes.baseAddress!, bytes.count) == 0
    }

    @inline(__always) func startsWith(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard end - position >= count else { return false }
        let bytes = literal.utf8Start
        var i = 0
        while i < count {
            if position[i] != bytes[i] { return false }
            i += 1
        }
        return true
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

    /// `seek` for a byte expected within a few dozen bytes, where reading eight
    /// bytes at a time inline beats the call to memchr.
    @inline(__always) mutating func seekNear(_ byte: UInt8) -> Bool {
        var p = position
        let ones: UInt64 = 0x0101_0101_0101_0101
        let pattern = ones &* UInt64(byte)
        while end - p >= 8 {
            // Bytes equal to `byte` become zero; the lowest zero byte sets the
            // lowest flagged bit (bytes are little-endian in the word).
            let word = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self).littleEndian ^ pattern
            let zeros = (word &- ones) & ~word & 0x8080_8080_8080_8080
            if zeros != 0 {
                position = p + zeros.trailingZeroBitCount / 8
                return true
            }
            p += 8
        }
        while p < end {
            if p.pointee == byte {
                position = p
                return true
            }
            p += 1
        }
        return false
    }

    /// A decimal number as printed by `%d`/`%.Nf`: digits, optionally a `.` or a
    /// locale's `,` and more digits. A separator not followed by a digit is not
    /// part of the number (`MB, ` after a figure). Nil when no digit is here or
    /// the figure is implausibly long for a trace (keeps arithmetic in range).
    @inline(__always) mutating func decimal() -> DecimalFigure? {
        var p = position
        var mantissa: Int64 = 0
        while p < end, case let d = p.pointee &- 48, d < 10 {
            mantissa = mantissa &* 10 &+ Int64(d)
            p += 1
        }
        let integerDigits = p - position
        guard integerDigits > 0 else { return nil }
        var scale = 0
        if end - p >= 2, p.pointee == UInt8(ascii: ".") || p.pointee == UInt8(ascii: ","), p[1] &- 48 < 10 {
            p += 1
            let fraction = p
            while p < end, case let d = p.pointee &- 48, d < 10 {
                mantissa = mantissa &* 10 &+ Int64(d)
                p += 1
            }
            scale = p - fraction
        }
        // Up to 15 digits fit an Int64 with room to scale; more is no trace figure.
        guard integerDigits + scale <= 15 else { return nil }
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

    /// A plain unsigned count of `unit`-byte units, in bytes. Nil (and
    /// unmoved) when no digit is here or the figure is beyond
    /// `TraceByteFigure.max`.
    @inline(__always) mutating func bytes(unit: Int64 = 1) -> Int64? {
        let start = position
        guard let count = integer(), let bytes = TraceByteFigure.bytes(count, unit: unit) else {
            position = start
            return nil
        }
        return bytes
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

    /// 10^scale; scale is at most 15 (`decimal()` reads no more digits).
    @inline(__always) private var divisor: Int64 {
        var result: Int64 = 1
        var i = 0
        while i < scale {
            result &*= 10
            i += 1
        }
        return result
    }

    @inline(__always) var value: Double { Double(mantissa) / Double(divisor) }

    /// The figure times `unit` (e.g. bytes in a MB), rounded to a whole
    /// number; nil beyond `TraceByteFigure.max` (never a real heap size).
    @inline(__always) func scaled(by unit: Int64) -> Int64? {
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: unit)
        guard !overflow, product < Int64.max / 2 else { return nil }
        // Constant divisors for the usual `%.1f`/`%.2f` let the compiler avoid a division.
        let bytes: Int64
        switch scale {
        case 0: bytes = product
        case 1: bytes = (product + 5) / 10
        case 2: bytes = (product + 50) / 100
        default:
            let divisor = self.divisor
            bytes = (product + divisor / 2) / divisor
        }
        return bytes <= TraceByteFigure.max ? bytes : nil
    }
}
