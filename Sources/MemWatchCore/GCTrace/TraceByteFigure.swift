/// The range a byte figure read from the trace must be in. V8's heap is at
/// most a few TB; a larger figure is garbage or a lookalike, and the line that
/// carries it gives no sizes (a GC line is app output, a verbose line trace
/// only): no arithmetic is done on it. Bounding figures at 2^50 also keeps
/// every sum and difference the detectors make of a few of them far inside
/// an Int64.
enum TraceByteFigure {
    /// 1 PiB.
    static let max: Int64 = 1 << 50

    /// `count` units of `unit` bytes, or nil when that exceeds `max`.
    @inline(__always) static func bytes(_ count: Int64, unit: Int64) -> Int64? {
        count >= 0 && count <= max / unit ? count &* unit : nil
    }
}
