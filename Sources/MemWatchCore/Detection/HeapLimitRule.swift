/// Fires when the live heap nears a known heap limit, so `run` can take a
/// heap snapshot while there is still room for one (V8 needs memory to write
/// it; at the limit the process dies of OOM instead).
///
/// Only full GCs are judged: a scavenge's figure still holds old-space
/// garbage, and V8 runs full GCs back to back before it gives up anyway.
public struct HeapLimitRule: Sendable, Equatable {
    public let heapLimit: Int64
    /// Share of the limit that trips the rule.
    public let share: Double

    public init(heapLimit: Int64, share: Double = 0.85) {
        precondition(heapLimit > 0 && share > 0 && share <= 1)
        self.heapLimit = heapLimit
        self.share = share
    }

    public var threshold: Int64 { Int64(Double(heapLimit) * share) }

    /// The breach this GC shows, or nil.
    public func evaluate(_ event: GCEvent) -> HeapLimitBreach? {
        guard event.kind.isFull, event.usedAfter >= threshold else { return nil }
        return HeapLimitBreach(
            id: event.id, atMs: event.timeMs, heapUsed: event.usedAfter, heapLimit: heapLimit,
            reason: "heap after full GC is \(ReasonFormat.megabytes(event.usedAfter)), "
                + "\(ReasonFormat.fixed(Double(event.usedAfter) / Double(heapLimit) * 100, digits: 0))% "
                + "of the \(ReasonFormat.fixed(Double(heapLimit) / ReasonFormat.bytesPerMB, digits: 0)) MB heap limit "
                + "(threshold \(ReasonFormat.fixed(share * 100, digits: 0))%)")
    }
}

/// The heap of one isolate passed `HeapLimitRule`'s share of its limit.
public struct HeapLimitBreach: Sendable, Equatable {
    public var id: IsolateID
    public var atMs: Double
    public var heapUsed: Int64
    public var heapLimit: Int64
    public var reason: String
}
