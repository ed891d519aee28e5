/// What became of one snapshot request; each is also recorded as an event.
public enum SnapshotOutcome: Sendable, Equatable {
    /// A whole snapshot, mode 0600; `seconds` from signal to the file's close.
    case written(path: String, bytes: Int64, seconds: Double)
    /// A guard said no; the process was not touched.
    case skipped(SnapshotSkipReason)
    case failed(reason: String, partialFile: PartialSnapshotFate)
}
