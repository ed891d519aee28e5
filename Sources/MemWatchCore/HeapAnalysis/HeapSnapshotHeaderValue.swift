/// A small JSON value, used only for the `snapshot` header (meta + counts), which is tiny
/// next to the flat arrays that follow it.
enum HeapSnapshotHeaderValue {
    case object([(String, HeapSnapshotHeaderValue)])
    case array([HeapSnapshotHeaderValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    subscript(key: String) -> HeapSnapshotHeaderValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    var stringArray: [String]? {
        guard case .array(let items) = self else { return nil }
        var result: [String] = []
        for item in items {
            guard case .string(let s) = item else { return nil }
            result.append(s)
        }
        return result
    }

    var int: Int? {
        if case .number(let n) = self, n >= 0, n < 1e15, n == n.rounded() { return Int(n) }
        return nil
    }
}

extension HeapSnapshotTokenizer {
    /// V8's header is a few kB; a tree of a larger one would cost many times its bytes.
    static let headerByteLimit = 1 << 20

    /// Parses one JSON value into a tree; only for the small header, which must end before
    /// file offset `limit`.
    func readHeaderValue(endingBefore limit: Int, depth: Int = 0) throws -> HeapSnapshotHeaderValue {
        guard depth < 64 else { throw failure(expected: "a shallower header (nesting over 64 levels)") }
        guard offset < limit else { throw failure(expected: "a header smaller than \(Self.headerByteLimit >> 20) MB") }
        guard let first = try peek() else { throw failure(expected: "a value") }
        switch first {
        case UInt8(ascii: "{"):
            pos += 1
            var members: [(String, HeapSnapshotHeaderValue)] = []
            if try peek() == UInt8(ascii: "}") { pos += 1; return .object(members) }
            repeat {
                let key = try readKey()
                members.append((key, try readHeaderValue(endingBefore: limit, depth: depth + 1)))
            } while try commaOr(UInt8(ascii: "}"), "',' or '}' in an object")
            return .object(members)
        case UInt8(ascii: "["):
            pos += 1
            var items: [HeapSnapshotHeaderValue] = []
            if try peek() == UInt8(ascii: "]") { pos += 1; return .array(items) }
            repeat {
                items.append(try readHeaderValue(endingBefore: limit, depth: depth + 1))
            } while try commaOr(UInt8(ascii: "]"), "',' or ']' in an array")
            return .array(items)
        case UInt8(ascii: "\""):
            var bytes: [UInt8] = []
            try readString(appendingTo: &bytes)
            return .string(String(decoding: bytes, as: UTF8.self))
        default:
            var bytes: [UInt8] = []
            while true {
                if pos == end { if try fill(atLeast: 1) == 0 { break } }
                let c = base[pos]
                if c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || Self.isWhitespace(c) { break }
                bytes.append(c)
                pos += 1
                if bytes.count > 64 { break }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default:
                if let n = Double(text) { return .number(n) }
                throw failure(expected: "a JSON value")
            }
        }
    }
}
