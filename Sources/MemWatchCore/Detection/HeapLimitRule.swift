/// Fires when the live heap nears a known heap limit, so `run` can take a
/// heap snapshot while there is still room for one (V8 needs memory to write
/// it; at the limit the process dies of OOM instead).
///
/// Two ways to near it: the heap after a full GC passes `share` of the limit,
/// or it is past `projectionShare` and, at the rate it grew since the previous
/// full GC, reaches the limit within `horizonSeconds`. The second catches the
/// fast leak that runs from start to OOM in seconds: by the time it crosses
/// 85% the process may die before the signal's snapshot is written.
///
/// Only full GCs are judged: a scavenge's figure still holds old-space
/// garbage, and V8 runs full GCs back to back before it gives up anyway.
public struct HeapLimitRule: Sendable, Equatable {
    public let heapLimit: Int64
    /// Share of the limit that trips the rule.
    public let share: Double
    /// Below this share a projection never trips it: young heaps grow fast
    /// while they warm up, far from any limit.
    public let projectionShare: Double
    /// How soon a projected arrival at the limit trips it: time for the
    /// signal to be handled and a snapshot of this heap to be written.
    public let horizonSeconds: Double
    private var previousFull: (timeMs: Double, used: Int64)?

    public init(heapLimit: Int64, share: Double = 0.85, projectionShare: Double = 0.5, horizonSeconds: Double = 20) {
        precondition(heapLimit > 0 && share > 0 && share <= 1)
        self.heapLimit = heapLimit
        self.share = share
        self.projectionShare = min(projectionShare, share)
        self.horizonSeconds = horizonSeconds
    }

    public var threshold: Int64 { Int64(Double(heapLimit) * share) }

    /// The breach this GC shows, or nil.
    public mutating func evaluate(_ event: GCEvent) -> HeapLimitBreach? {
        guard event.kind.isFull else { return nil }
        defer { previousFull = (event.timeMs, event.usedAfter) }
        let used = event.usedAfter
        let limitText = "the \(HumanReadable.fixed(Double(heapLimit) / HumanReadable.bytesPerMB, digits: 0)) MB heap limit"
        let heapText = "heap after full GC is \(HumanReadable.megabytes(used)), "
            + "\(HumanReadable.fixed(Double(used) / Double(heapLimit) * 100, digits: 0))% of \(limitText)"
        if used >= threshold {
            return breach(event, reason: heapText + " (threshold \(HumanReadable.fixed(share * 100, digits: 0))%)")
        }
        guard Double(used) >= Double(heapLimit) * projectionShare, let previous = previousFull,
              event.timeMs > previous.timeMs, used > previous.used
        else { return nil }
        let bytesPerSecond = Double(used - previous.used) / ((event.timeMs - previous.timeMs) / 1000)
        let secondsLeft = Double(heapLimit - used) / bytesPerSecond
        guard secondsLeft <= horizonSeconds else { return nil }
        return breach(event, reason: heapText + ", growing \(HumanReadable.rate(bytesPerSecond)): "
            + "at this rate the limit is reached in ~\(HumanReadable.duration(secondsLeft))")
    }

    private func breach(_ event: GCEvent, reason: String) -> HeapLimitBreach {
        HeapLimitBreach(id: event.id, atMs: event.timeMs, heapUsed: event.usedAfter, heapLimit: heapLimit, reason: reason)
    }

    public static func == (a: HeapLimitRule, b: HeapLimitRule) -> Bool {
        (a.heapLimit, a.share, a.projectionShare, a.horizonSeconds) == (b.heapLimit, b.share, b.projectionShare, b.horizonSeconds)
    }
}

/// The heap of one isolate neared its limit (see `HeapLimitRule`).
public struct HeapLimitBreach: Sendable, Equatable {
    public var id: IsolateID
    public var atMs: Double
    public var heapUsed: Int64
    public var heapLimit: Int64
    public var reason: String
}
