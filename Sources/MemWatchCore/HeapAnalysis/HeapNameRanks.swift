/// A set of string indices (the names of object and native nodes) that maps each member to
/// its rank among the members: 1 bit a string plus a running count every 64, where a flat
/// `[Int32]` table over the whole string table would cost 4 bytes a string (15 MB for a
/// snapshot with 4 M strings, most of them never a class name).
struct HeapNameRanks {
    private var words: [UInt64]
    /// Members in the words before each word.
    private var membersBefore: [Int32] = []

    init(stringCount: Int) {
        words = [UInt64](repeating: 0, count: (stringCount + 63) / 64)
    }

    mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    /// Call once after the last `insert`, before `rank`.
    mutating func freeze() {
        var total: Int32 = 0
        membersBefore = words.map { word in
            defer { total += Int32(word.nonzeroBitCount) }
            return total
        }
    }

    var count: Int { membersBefore.last.map { Int($0) + words[words.count - 1].nonzeroBitCount } ?? 0 }

    /// The rank of member `index` among all members (members below it).
    @inline(__always)
    func rank(_ index: Int) -> Int {
        let word = index >> 6
        let below = words[word] & ((1 << UInt64(index & 63)) &- 1)
        return Int(membersBefore[word]) + below.nonzeroBitCount
    }
}
