/// The memory a heap snapshot takes beyond the process's RSS while node writes
/// it, from the heap in use. Measured with `Benchmarks/snapshot-cost` (the
/// table is in the README).
///
/// V8 builds the whole snapshot graph in C++ memory before it writes a byte:
/// 230-420 bytes per heap object with its edges, whatever the object's own
/// size. So the cost follows the object count, which memwatchd cannot see; it
/// knows heap bytes. The ratio is therefore the worst measured shape's: short
/// strings and boxed numbers, the most objects per heap byte, peaked at 13.35x
/// the heap (Node 20, 26 MB heap; Node 22 and 24 cost less), and `measured`
/// is at or above every run by at least 13%. A heap of big strings or buffers
/// is overestimated many times over (V8 keeps 1 KB of each string).
public struct SnapshotMemoryModel: Sendable, Equatable {
    /// Extra bytes per byte of heap in use.
    public var extraPerHeapByte: Double
    /// Extra bytes whatever the heap (node's own objects, the writer's buffers).
    public var baseBytes: Int64

    public init(extraPerHeapByte: Double, baseBytes: Int64) {
        self.extraPerHeapByte = extraPerHeapByte
        self.baseBytes = baseBytes
    }

    public static let measured = SnapshotMemoryModel(extraPerHeapByte: 14, baseBytes: 32 << 20)

    public func extraBytes(heapUsed: Int64) -> Int64 {
        baseBytes + Int64((Double(max(0, heapUsed)) * extraPerHeapByte).rounded(.up))
    }
}
