/// The set of node ids of one snapshot, as a bitmap: V8 ids are dense 32-bit numbers, so
/// membership is one load, and the bitmap is far smaller than the nodes themselves.
public struct HeapIDSet: Sendable {
    private var words: [UInt64]

    public init(ids: [UInt32]) {
        let maxID = ids.max().map(Int.init) ?? 0
        words = [UInt64](repeating: 0, count: maxID / 64 + 1)
        for id in ids { words[Int(id) >> 6] |= 1 << UInt64(id & 63) }
    }

    @inline(__always)
    public func contains(_ id: UInt32) -> Bool {
        let word = Int(id) >> 6
        return word < words.count && words[word] & (1 << UInt64(id & 63)) != 0
    }
}
