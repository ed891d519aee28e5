/// What one line of V8 GC trace output says.
public enum GCTraceRecord: Sendable, Equatable {
    /// A `--trace-gc` or `--trace-gc-nvp` line: one collection.
    case gc(GCEvent)
    /// Any other line V8's GC tracing printed (a `--trace-gc-verbose` space
    /// block line, a heap statistics line): not app output, not a collection.
    case traceOnly(IsolateID)
}

/// Turns lines of V8 GC trace output into records; everything else is app output.
///
/// INTERFACE ONLY: the real implementation lands with the parser work (issue 2).
public struct GCTraceParser: Sendable {
    public init() {}

    /// Parses one line (without its newline). Returns nil for app output,
    /// garbage, and cut-off lines.
    public mutating func parse(_ line: UnsafeRawBufferPointer) -> GCTraceRecord? {
        nil
    }
}
