/// What one line of V8 GC trace output says.
///
/// Every non-nil record is a line V8's GC tracing printed, never app output:
/// a caller that strips the trace from an app's output drops every line for
/// which the parser returns a record.
public enum GCTraceRecord: Sendable, Equatable {
    /// A `--trace-gc` or `--trace-gc-nvp` line: one collection.
    case gc(GCEvent)
    /// A GC line that repeats one already reported, e.g. inside the
    /// `<--- Last few GCs --->` block node prints on stderr when it dies of OOM.
    /// Trace output, but counting it again would double the collection.
    case repeatedGC(GCEvent)
    /// A `--trace-gc-verbose` line about one space (`Old space, used: ...`),
    /// the memory allocator, or `All spaces`.
    case spaceUsage(SpaceUsage)
    /// A `--trace-gc-verbose` line about memory outside the V8 heap.
    case externalMemory(ExternalMemory)
    /// Any other line V8's GC tracing printed (`Memory reducer: ...`,
    /// `Total time spent in GC`, heap controller lines, ...): not app output,
    /// not a collection.
    case traceOnly(IsolateID)

    /// The isolate the line came from.
    public var isolate: IsolateID {
        switch self {
        case .gc(let event), .repeatedGC(let event): event.id
        case .spaceUsage(let usage): usage.id
        case .externalMemory(let memory): memory.id
        case .traceOnly(let id): id
        }
    }

    /// The collection to count, if the line reports a new one.
    public var newEvent: GCEvent? {
        if case .gc(let event) = self { return event }
        return nil
    }

    /// The kind of the new collection the line reports, if any (no copy of the event).
    @inlinable public var newCollectionKind: GCKind? {
        switch self {
        case .gc(let event): event.kind
        default: nil
        }
    }
}

/// One `--trace-gc-verbose` line of the form
/// `[pid:isolate] Old space, used: 2476 KB, available: 7 KB, committed: 2528 KB`.
public struct SpaceUsage: Sendable, Equatable {
    public var id: IsolateID
    /// V8's name for the space as printed (`New space`, `Old space`,
    /// `Large object space`, `Trusted space`, ...), or `Memory allocator`,
    /// or `All spaces` for the heap's total.
    public var space: String
    public var usedBytes: Int64
    public var availableBytes: Int64
    /// Absent on the `Memory allocator` line, which prints no committed size.
    public var committedBytes: Int64?

    public init(id: IsolateID, space: String, usedBytes: Int64, availableBytes: Int64, committedBytes: Int64?) {
        self.id = id
        self.space = space
        self.usedBytes = usedBytes
        self.availableBytes = availableBytes
        self.committedBytes = committedBytes
    }

    /// The line that sums every space.
    public var isTotal: Bool { space == "All spaces" }
}

/// One `--trace-gc-verbose` line about memory V8 tracks outside its heap
/// (ArrayBuffer backing stores, memory embedders report).
public struct ExternalMemory: Sendable, Equatable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// `External memory reported: N KB`
        case reported
        /// `Backing store memory: N KB` (ArrayBuffers, Buffers)
        case backingStore = "backing-store"
        /// `External memory global N KB`
        case global
    }

    public var id: IsolateID
    public var kind: Kind
    public var bytes: Int64

    public init(id: IsolateID, kind: Kind, bytes: Int64) {
        self.id = id
        self.kind = kind
        self.bytes = bytes
    }
}
