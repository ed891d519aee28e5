/// Which collector V8 ran.
///
/// V8 has renamed its collectors over the years; the parser maps every
/// printed name onto one of these: `Scavenge`; `Minor Mark-Compact` /
/// `Minor Mark-Sweep` (nvp `gc=mmc`); `Mark-sweep` (Node ≤ 8), `Mark-Compact`
/// (nvp `gc=mc` / `gc=ms`).
public enum GCKind: String, Sendable, Hashable, Codable, CaseIterable {
    case scavenge
    case minorMarkSweep = "minor-mark-sweep"
    case markCompact = "mark-compact"

    /// Only a full GC visits the whole old generation, so only its result is
    /// the live heap (memwatch's "stats" event).
    public var isFull: Bool { self == .markCompact }
}

/// Identifies one V8 heap: worker threads share their process's pid and
/// differ by isolate address; cluster workers differ by pid.
public struct IsolateID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var pid: Int32
    public var isolate: UInt64

    public init(pid: Int32, isolate: UInt64) {
        self.pid = pid
        self.isolate = isolate
    }

    /// The address as V8 prints it, e.g. `0x5f1e3c0`.
    public var isolateHex: String { "0x" + String(isolate, radix: 16) }
    public var description: String { "\(pid):\(isolateHex)" }

    public static func < (a: IsolateID, b: IsolateID) -> Bool {
        (a.pid, a.isolate) < (b.pid, b.isolate)
    }
}

/// One garbage collection as the trace reported it. Sizes are bytes.
public struct GCEvent: Sendable, Equatable {
    public var id: IsolateID
    /// The trace's own stamp: milliseconds since the isolate started.
    public var timeMs: Double
    public var kind: GCKind
    /// A qualifier V8 printed after the name, e.g. `reduce`, `interleaved`.
    public var variant: String?
    /// Heap in use (V8's SizeOfObjects) before and after the GC.
    public var usedBefore: Int64
    public var usedAfter: Int64
    /// Memory the heap holds from the OS (the figure in parentheses), when printed.
    public var committedBefore: Int64?
    public var committedAfter: Int64?
    public var pauseMs: Double
    /// Why V8 collected, e.g. `allocation failure`, when printed.
    public var reason: String?

    public init(
        id: IsolateID, timeMs: Double, kind: GCKind, variant: String? = nil,
        usedBefore: Int64, usedAfter: Int64,
        committedBefore: Int64? = nil, committedAfter: Int64? = nil,
        pauseMs: Double = 0, reason: String? = nil
    ) {
        self.id = id
        self.timeMs = timeMs
        self.kind = kind
        self.variant = variant
        self.usedBefore = usedBefore
        self.usedAfter = usedAfter
        self.committedBefore = committedBefore
        self.committedAfter = committedAfter
        self.pauseMs = pauseMs
        self.reason = reason
    }
}
