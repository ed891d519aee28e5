/// The word syntax of the `NODE_OPTIONS` environment variable, as node's
/// `ParseNodeOptionsEnvVar` reads it: words split on spaces; a double-quoted
/// stretch keeps its spaces; inside quotes a backslash escapes the next byte.
public enum NodeOptionsSyntax {
    /// Splits a `NODE_OPTIONS` value into words. A dangling escape or an
    /// unterminated quote is read as leniently as possible (node itself
    /// refuses to start on them, so the child reports that error).
    public static func split(_ value: String) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        var inWord = false, inQuotes = false, escaped = false
        for byte in value.utf8 {
            if escaped {
                current.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") && inQuotes {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
                inWord = true
            } else if byte == UInt8(ascii: " ") && !inQuotes {
                if inWord { words.append(String(decoding: current, as: UTF8.self)) }
                current.removeAll()
                inWord = false
            } else {
                current.append(byte)
                inWord = true
            }
        }
        if inWord { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }

    /// One word as it must appear in `NODE_OPTIONS`: quoted when it holds a
    /// space, a quote or a backslash.
    public static func quote(_ word: String) -> String {
        guard word.isEmpty || word.contains(where: { $0 == " " || $0 == "\"" || $0 == "\\" }) else {
            return word
        }
        var quoted = "\""
        for character in word {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// `existing` with `words` appended, each quoted as needed.
    public static func append(_ words: [String], to existing: String?) -> String {
        let added = words.map(quote).joined(separator: " ")
        guard let existing, !existing.allSatisfy({ $0 == " " }) else { return added }
        return existing + " " + added
    }
}
