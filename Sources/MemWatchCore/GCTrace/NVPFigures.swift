/// The figures of one `--trace-gc-nvp` line as they are read, in either of
/// its forms (`name=value` or JSON), and the event they make once complete.
struct NVPFigures {
    var pause: DecimalFigure?
    var kind: GCKind?
    var reduce = false
    var interleaved = false
    /// JSON only: the `name=value` form has no reason.
    var reason: String?
    var before: Int64?
    var after: Int64?
    var committedBefore: Int64?
    var committedAfter: Int64?

    /// Everything an event needs was read.
    var isComplete: Bool { pause != nil && kind != nil && after != nil }

    /// Drops a value that turned out cut off or malformed.
    mutating func forget(_ key: NVPKey) {
        switch key {
        case .pause: pause = nil
        case .gc: kind = nil
        case .sizeBefore: before = nil
        case .sizeAfter: after = nil
        case .memoryBefore: committedBefore = nil
        case .memoryAfter: committedAfter = nil
        case .reason: reason = nil
        case .reduceMemory, .interleaved, .other: break
        }
    }

    func event(id: IsolateID, timeMs: Double) -> GCEvent? {
        guard let pause, let kind, let before, let after else { return nil }
        let variant: String? = switch (reduce, interleaved) {
        case (true, true): "reduce, interleaved"
        case (true, false): "reduce"
        case (false, true): "interleaved"
        case (false, false): nil
        }
        return GCEvent(id: id, timeMs: timeMs, kind: kind, variant: variant,
                       usedBefore: before, usedAfter: after,
                       committedBefore: committedBefore, committedAfter: committedAfter,
                       pauseMs: pause.value, reason: reason)
    }
}
