/// Why memwatchd asks a process for a heap snapshot.
public enum SnapshotReason: Sendable, Equatable {
    /// A leak was just established: the first snapshot, the baseline of what grows.
    case leak
    /// The leak goes on and the heap grew well past the last snapshot: the
    /// pair's difference names what grows.
    case leakGrowth
    /// The heap nears its limit: the process may die of OOM within seconds.
    case heapLimit

    public enum Urgency: Sendable, Equatable {
        /// Waits out the per-process cooldown between snapshots.
        case routine
        /// Taken at once, cooldown or not: later may be too late.
        case immediate
    }

    public var urgency: Urgency { self == .heapLimit ? .immediate : .routine }

    /// As the event's `trigger` detail says it.
    public var code: String {
        switch self {
        case .leak: "leak"
        case .leakGrowth: "leak-growth"
        case .heapLimit: "heap-limit"
        }
    }
}
