import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives the integers of a flat number array (`nodes`, `edges`) one by one, so the hot loop
/// writes straight into typed arrays without an intermediate `[Int]`.
protocol HeapIntSink {
    mutating func put(_ value: Int)
}

/// A byte-level JSON tokenizer over a file read in large chunks. It never holds more than one
/// chunk of the file; callers pull exactly the tokens they expect and get an error naming what
/// was expected and the byte offset where the input stopped matching.
final class HeapSnapshotTokenizer {
    let path: String
    let fileSize: Int
    /// Which part of the file is being read, for error messages and progress.
    var section = "the top-level object"
    var onRefill: ((_ bytesRead: Int) -> Void)?

    private let fd: Int32
    private let capacity: Int
    /// One extra byte holds a 0 sentinel after the valid bytes so digit loops stop by themselves.
    let base: UnsafeMutablePointer<UInt8>
    var pos = 0
    var end = 0
    private var bufferFileOffset = 0
    private(set) var atEOF = false

    init(path: String, chunkSize: Int = 8 << 20) throws {
        self.path = path
        let descriptor: Int32
        do {
            descriptor = try SystemCall.value { open(path, O_RDONLY | O_CLOEXEC) }
        } catch {
            throw HeapSnapshotError(cannotOpen: path, byteOffset: nil, failure: error)
        }
        fd = descriptor
        var info = stat()
        fileSize = (try? SystemCall.value { fstat(descriptor, &info) }) != nil ? Int(info.st_size) : 0
        capacity = max(chunkSize, 128)
        base = .allocate(capacity: capacity + 1)
        base[0] = 0
    }

    deinit {
        close(fd)
        base.deallocate()
    }

    /// File offset of the next unread byte.
    var offset: Int { bufferFileOffset + pos }

    /// Makes at least `count` bytes available from `pos` unless the file ends first.
    /// Returns how many bytes are available.
    @discardableResult
    func fill(atLeast count: Int) throws -> Int {
        if end - pos >= count || atEOF { return end - pos }
        let remaining = end - pos
        if pos > 0 {
            if remaining > 0 { memmove(base, base + pos, remaining) }
            bufferFileOffset += pos
            pos = 0
            end = remaining
        }
        var readSomething = false
        while end < capacity && (!readSomething || end < count) {
            let got: Int
            do {
                got = try SystemCall.value { read(fd, base + end, capacity - end) }
            } catch {
                throw HeapSnapshotError(cannotOpen: path, byteOffset: offset, operation: "read", failure: error)
            }
            if got == 0 { atEOF = true; break }
            end += got
            readSomething = true
        }
        base[end] = 0
        onRefill?(bufferFileOffset + end)
        return end - pos
    }

    // MARK: errors

    func failure(expected: String) -> HeapSnapshotError {
        if pos >= end && atEOF {
            let kind: HeapSnapshotError.Kind = offset == 0 ? .notASnapshot : .truncated
            return HeapSnapshotError(kind, path: path, byteOffset: offset,
                                     message: "file ends while reading \(section): expected \(expected)")
        }
        let found = pos < end ? describe(base[pos]) : "end of file"
        return HeapSnapshotError(.malformed, path: path, byteOffset: offset,
                                 message: "expected \(expected) in \(section), found \(found)")
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(UnicodeScalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16)
    }

    // MARK: tokens

    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    func skipWhitespace() throws {
        while true {
            while pos < end && Self.isWhitespace(base[pos]) { pos += 1 }
            if pos < end || atEOF { return }
            try fill(atLeast: 1)
        }
    }

    /// The next non-whitespace byte, not consumed; nil at end of file.
    func peek() throws -> UInt8? {
        try skipWhitespace()
        return try fill(atLeast: 1) > 0 ? base[pos] : nil
    }

    func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws {
        guard try peek() == byte else { throw failure(expected: what()) }
        pos += 1
    }

    /// Consumes `,` and returns true, or consumes `closer` and returns false.
    func commaOr(_ closer: UInt8, _ what: @autoclosure () -> String) throws -> Bool {
        switch try peek() {
        case UInt8(ascii: ","): pos += 1; return true
        case closer: pos += 1; return false
        default: throw failure(expected: what())
        }
    }

    func readKey() throws -> String {
        var bytes: [UInt8] = []
        try readString(appendingTo: &bytes)
        try expect(UInt8(ascii: ":"), "':' after key \"\(String(decoding: bytes, as: UTF8.self))\"")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads one JSON string, decoding escapes (including `\u` surrogate pairs) into UTF-8.
    func readString(appendingTo out: inout [UInt8]) throws {
        guard try peek() == UInt8(ascii: "\"") else { throw failure(expected: "a string") }
        pos += 1
        while true {
            var p = pos
            while p < end {
                let c = base[p]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { break }
                p += 1
            }
            if p > pos {
                out.append(contentsOf: UnsafeBufferPointer(start: base + pos, count: p - pos))
                pos = p
            }
            if pos == end {
                guard try fill(atLeast: 1) > 0 else { throw failure(expected: "the closing '\"' of a string") }
                continue
            }
            if base[pos] == UInt8(ascii: "\"") { pos += 1; return }
            try readEscape(appendingTo: &out)
        }
    }

    private func readEscape(appendingTo out: inout [UInt8]) throws {
        guard try fill(atLeast: 2) >= 2 else { throw failure(expected: "an escape sequence") }
        let escaped = base[pos + 1]
        let simple: UInt8?
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = escaped
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default:
            pos += 1
            throw failure(expected: "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
        }
        if let simple {
            out.append(simple)
            pos += 2
            return
        }
        guard try fill(atLeast: 6) >= 6, let unit = hex4(at: pos + 2) else {
            pos += 2
            throw failure(expected: "4 hex digits after \\u")
        }
        pos += 6
        var scalar = unit
        if (0xD800...0xDBFF).contains(unit) {
            if try fill(atLeast: 6) >= 6, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u"),
               let low = hex4(at: pos + 2), (0xDC00...0xDFFF).contains(low) {
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                pos += 6
            } else {
                scalar = 0xFFFD  // lone high surrogate
            }
        } else if (0xDC00...0xDFFF).contains(unit) {
            scalar = 0xFFFD  // lone low surrogate
        }
        Self.appendUTF8(scalar, to: &out)
    }

    private func hex4(at index: Int) -> UInt32? {
        var value: UInt32 = 0
        for i in 0..<4 {
            let c = base[index + i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            out.append(UInt8(scalar))
        case ..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    private func skipString() throws {
        pos += 1  // opening quote
        while true {
            if end - pos < 2 { try fill(atLeast: 2) }
            guard pos < end else { throw failure(expected: "the closing '\"' of a string") }
            let c = base[pos]
            if c == UInt8(ascii: "\"") { pos += 1; return }
            if c == UInt8(ascii: "\\") {
                guard pos + 1 < end else { pos = end; throw failure(expected: "an escape sequence") }
                pos += 2
                continue
            }
            pos += 1
        }
    }

    /// Skips any JSON value without building it (sections this reader does not use).
    func skipValue() throws {
        guard let first = try peek() else { throw failure(expected: "a value") }
        if first == UInt8(ascii: "\"") { return try skipString() }
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") {
            var depth = 0
            while true {
                if pos == end {
                    guard try fill(atLeast: 1) > 0 else { throw failure(expected: "a closing bracket") }
                }
                switch base[pos] {
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    pos += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    pos += 1
                    if depth == 0 { return }
                case UInt8(ascii: "\""):
                    try skipString()
                default:
                    pos += 1
                }
            }
        }
        let start = offset
        while true {
            if pos == end { if try fill(atLeast: 1) == 0 { break } }
            let c = base[pos]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || Self.isWhitespace(c) { break }
            pos += 1
        }
        if offset == start { throw failure(expected: "a value") }
    }

    /// Reads a flat array of integers into `sink`. The hot loop of the reader: pointer scanning
    /// and hand-rolled digit parsing, refilling only when fewer than 64 bytes are left. The
    /// cursor stays in locals between numbers and goes back to `pos` only around a refill, a
    /// return or an error.
    func readIntArray<Sink: HeapIntSink>(into sink: inout Sink, _ what: String) throws {
        try expect(UInt8(ascii: "["), "'[' starting \(what)")
        if try peek() == UInt8(ascii: "]") { pos += 1; return }
        var p = base + pos
        var limit = base + end
        while true {
            if limit - p < 64 {
                pos = base.distance(to: p)
                try fill(atLeast: 64)
                p = base + pos
                limit = base + end
            }
            while p < limit && Self.isWhitespace(p.pointee) { p += 1 }
            if p == limit {
                pos = end
                guard try fill(atLeast: 64) > 0 else { throw failure(expected: "a number in \(what)") }
                p = base + pos
                limit = base + end
                continue
            }
            let start = p
            let negative = p.pointee == UInt8(ascii: "-")
            if negative { p += 1 }
            let digitsStart = p
            var value = 0
            while true {
                let digit = p.pointee &- UInt8(ascii: "0")  // the 0 sentinel at `limit` stops this
                if digit > 9 { break }
                value = value &* 10 &+ Int(digit)
                p += 1
            }
            let digits = digitsStart.distance(to: p)
            if digits > 18 {
                pos = base.distance(to: start)
                throw failure(expected: "a number that fits 64 bits in \(what)")
            }
            if p == limit && !atEOF {
                // The number may continue in the next chunk: read it again after refilling.
                pos = base.distance(to: start)
                try fill(atLeast: end - pos + 64)
                p = base + pos
                limit = base + end
                continue
            }
            if digits == 0 {
                pos = base.distance(to: start)
                throw failure(expected: "a number in \(what)")
            }
            sink.put(negative ? -value : value)
            // V8 writes "\n," between rows: skip that whitespace here, not in the slow path.
            var q = p
            while q < limit && Self.isWhitespace(q.pointee) { q += 1 }
            if q < limit {
                let c = q.pointee
                if c == UInt8(ascii: ",") { p = q + 1; continue }
                if c == UInt8(ascii: "]") { pos = base.distance(to: q) + 1; return }
            }
            pos = base.distance(to: p)
            if try !commaOr(UInt8(ascii: "]"), "',' or ']' in \(what)") { return }
            p = base + pos
            limit = base + end
        }
    }
}
