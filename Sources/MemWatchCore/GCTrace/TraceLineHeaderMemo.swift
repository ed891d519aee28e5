/// Remembers the bytes of the last `[pid:isolate]` header read: consecutive
/// trace lines nearly always come from the same isolate, and comparing up to
/// 32 bytes costs far less than parsing the numbers again.
struct TraceLineHeaderMemo {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Bytes from `[` through `]`; 0 when nothing is remembered.
    private var length = 0
    private var header = TraceLineHeader(id: IsolateID(pid: 0, isolate: 0), hasIsolate: false)

    /// The remembered header if the line at `cursor` starts with its bytes;
    /// moves `cursor` past it.
    @inline(__always) func match(_ cursor: inout ByteCursor) -> TraceLineHeader? {
        guard length > 0, cursor.remaining >= 32 else { return nil }
        let raw = UnsafeRawPointer(cursor.position)
        let mask: UInt64 = length & 7 == 0 ? ~0 : (1 << UInt64((length & 7) * 8)) - 1
        let count = (length + 7) / 8
        @inline(__always) func same(_ index: Int, _ word: UInt64) -> Bool {
            guard index < count else { return true }
            let loaded = raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
            return (index == count - 1 ? (loaded ^ word) & mask : loaded ^ word) == 0
        }
        guard same(0, words.0), same(1, words.1), same(2, words.2), same(3, words.3) else { return nil }
        cursor.advance(length)
        return header
    }

    /// Remembers the header that spans `start` up to `end` (exclusive).
    @inline(__always) mutating func remember(_ header: TraceLineHeader, from start: UnsafePointer<UInt8>, to end: UnsafePointer<UInt8>) {
        let count = end - start
        guard count <= 32 else { length = 0; return }
        var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { $0.baseAddress!.copyMemory(from: start, byteCount: count) }
        words = buffer
        length = count
        self.header = header
    }
}
