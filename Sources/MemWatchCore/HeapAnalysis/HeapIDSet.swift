/// The set of node ids of one snapshot, as a bitmap: V8 ids are dense 32-bit numbers, so
/// membership is one load, and the bitmap is far smaller than the nodes themselves. Ids too
/// sparse for that (a forged id near 2^32 alone would cost a 512 MB bitmap) are kept sorted
/// and searched by bisection instead.
public struct HeapIDSet: Sendable {
    private var words: [UInt64] = []
    private var sortedIDs: [UInt32] = []

    /// A bitmap of up to 64 bits an id (twice the sorted array) leaves room for V8's own
    /// spacing: ids go up by 2 and dead objects leave gaps.
    static let maxBitsPerID = 64

    public init(ids: [UInt32]) {
        let maxID = ids.max().map(Int.init) ?? 0
        guard maxID <= Self.maxBitsPerID * ids.count + (1 << 16) else {
            sortedIDs = ids.sorted()
            return
        }
        words = [UInt64](repeating: 0, count: maxID / 64 + 1)
        for id in ids { words[Int(id) >> 6] |= 1 << UInt64(id & 63) }
    }

    @inline(__always)
    public func contains(_ id: UInt32) -> Bool {
        guard sortedIDs.isEmpty else { return containsSorted(id) }
        let word = Int(id) >> 6
        return word < words.count && words[word] & (1 << UInt64(id & 63)) != 0
    }

    private func containsSorted(_ id: UInt32) -> Bool {
        var low = 0, high = sortedIDs.count
        while low < high {
            let mid = (low + high) / 2
            if sortedIDs[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low < sortedIDs.count && sortedIDs[low] == id
    }
}
