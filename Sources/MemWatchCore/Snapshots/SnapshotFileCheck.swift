import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Tells a whole V8 heap snapshot from a truncated one or some other file,
/// reading only its head and tail: snapshots run to gigabytes.
///
/// V8 writes `{"snapshot":{"meta":` first and ends every snapshot with the
/// `strings` array, so a whole file ends `"]}` (plus optional whitespace).
/// Mid-file, `"]}` only occurs inside `meta`, which sits in the first few KB;
/// files up to `fullScanLimit` are therefore scanned completely instead.
public enum SnapshotFileCheck {
    public enum Result: Sendable, Equatable, CustomStringConvertible {
        case whole
        case empty
        case notASnapshot
        case truncated

        public var description: String {
            switch self {
            case .whole: "a whole heap snapshot"
            case .empty: "empty"
            case .notASnapshot: "not a V8 heap snapshot"
            case .truncated: "truncated (the JSON document does not close)"
            }
        }
    }

    static let prefix = Array(#"{"snapshot":{"meta":"#.utf8)
    static let headWindow = 256
    static let tailWindow = 4096
    static let fullScanLimit = 1 << 16

    /// Checks the open file at `descriptor` by `pread`, leaving its offset alone.
    public static func check(descriptor: Int32) throws(SnapshotFileError) -> Result {
        var info = stat()
        do {
            try SystemCall.value { fstat(descriptor, &info) }
        } catch {
            throw .io(operation: "fstat", error)
        }
        let size = Int(info.st_size)
        if size <= fullScanLimit {
            return evaluate(head: try read(descriptor, at: 0, count: size), tail: [], isWholeFile: true)
        }
        let head = try read(descriptor, at: 0, count: headWindow)
        let tail = try read(descriptor, at: size - tailWindow, count: tailWindow)
        return evaluate(head: head, tail: tail, isWholeFile: false)
    }

    /// The pure decision. With `isWholeFile`, `head` is the entire file and `tail` is unused.
    public static func evaluate(head: [UInt8], tail: [UInt8], isWholeFile: Bool) -> Result {
        guard let start = head.firstIndex(where: { !isWhitespace($0) }) else {
            return isWholeFile ? .empty : .notASnapshot
        }
        let available = head[start...].prefix(prefix.count)
        guard available.elementsEqual(prefix.prefix(available.count)) else { return .notASnapshot }
        guard available.count == prefix.count else { return .truncated }
        if isWholeFile {
            return documentCloses(head[start...]) ? .whole : .truncated
        }
        return endsWithStringsArray(tail) ? .whole : .truncated
    }

    /// Full structural scan: the top-level object closes at the last non-whitespace byte.
    static func documentCloses(_ bytes: ArraySlice<UInt8>) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        var closedAt: Int?
        for index in bytes.indices {
            let byte = bytes[index]
            if let _ = closedAt {
                if !isWhitespace(byte) { return false }
                continue
            }
            if inString {
                if escaped { escaped = false }
                else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 { return false }
                if depth == 0 { closedAt = index }
            default: break
            }
        }
        return closedAt != nil
    }

    /// `"]}` at the very end, where the `"` closes a string (is not escaped).
    static func endsWithStringsArray(_ tail: [UInt8]) -> Bool {
        var index = tail.count - 1
        func skipWhitespace() { while index >= 0, isWhitespace(tail[index]) { index -= 1 } }
        skipWhitespace()
        guard index >= 0, tail[index] == UInt8(ascii: "}") else { return false }
        index -= 1
        skipWhitespace()
        guard index >= 0, tail[index] == UInt8(ascii: "]") else { return false }
        index -= 1
        skipWhitespace()
        guard index >= 0, tail[index] == UInt8(ascii: "\"") else { return false }
        var backslashes = 0
        index -= 1
        while index >= 0, tail[index] == UInt8(ascii: "\\") {
            backslashes += 1
            index -= 1
        }
        return backslashes % 2 == 0
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    static func read(_ descriptor: Int32, at offset: Int, count: Int) throws(SnapshotFileError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got: Int
            do {
                got = try SystemCall.value {
                    buffer.withUnsafeMutableBytes { raw in
                        pread(descriptor, raw.baseAddress! + filled, count - filled, off_t(offset + filled))
                    }
                }
            } catch {
                throw .io(operation: "pread", error)
            }
            if got == 0 { break }
            filled += got
        }
        return Array(buffer.prefix(filled))
    }
}

/// An I/O failure while inspecting a snapshot file.
public enum SnapshotFileError: Error, Equatable, CustomStringConvertible {
    case io(operation: String, Errno)

    public var description: String {
        switch self {
        case let .io(operation, failure): "\(operation) failed: \(failure)"
        }
    }
}
