/// Reads a fuzzer's input as a script: leading bytes choose how the rest is
/// cut into chunks, so the fuzzer explores split points as well as content.
struct FuzzInput {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = UnsafeRawBufferPointer(start: data, count: size)
    }

    var isAtEnd: Bool { offset >= bytes.count }

    /// The next byte, or 0 past the end.
    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Cuts what is left into chunks whose lengths come from `lengths`
    /// (cycled; a 0 means a chunk of 1), so the same data is tried with
    /// different boundaries.
    func chunks(of rest: UnsafeRawBufferPointer, lengths: [UInt8]) -> [UnsafeRawBufferPointer] {
        var result: [UnsafeRawBufferPointer] = []
        var start = 0
        var i = 0
        while start < rest.count {
            let length = lengths.isEmpty ? rest.count : max(1, Int(lengths[i % lengths.count]))
            let end = min(rest.count, start + length)
            result.append(UnsafeRawBufferPointer(rebasing: rest[start..<end]))
            start = end
            i += 1
        }
        return result
    }

    /// Reads a split script: one byte N (0–7), N chunk lengths, then the data
    /// to cut.
    mutating func splitData() -> [UnsafeRawBufferPointer] {
        let count = Int(byte() & 7)
        var lengths: [UInt8] = []
        for _ in 0..<count { lengths.append(byte()) }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[min(offset, bytes.count)...])
        return chunks(of: rest, lengths: lengths)
    }
}
