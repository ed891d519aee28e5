/// Where GC trace records come from: a child's stdout today
/// (``ChildOutputTraceSource``); a log file's tail and the journal join with
/// the service. The engine reads every source alike, and believes a record
/// only for a pid its scope admits.
public protocol TraceSource: Sendable {
    /// The records, in the order the processes wrote them, in batches as
    /// the source reads them (a pipe's read burst, a log's chunk, the
    /// journal's entries): one hop to the engine a batch, not a line.
    /// Finishes when the source ends. Read once.
    func records() -> AsyncStream<[GCTraceRecord]>

    /// Why the source ended while its processes may run on (a closed stdout,
    /// a deleted log), once it has ended; nil when it ended as expected.
    func endNote() -> MemWatchEvent?
}

extension TraceSource {
    public func endNote() -> MemWatchEvent? { nil }
}
