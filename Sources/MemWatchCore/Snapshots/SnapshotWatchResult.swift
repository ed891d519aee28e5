/// How waiting for a heap snapshot file ended.
public enum SnapshotWatchResult: Sendable, Equatable {
    case written(path: String, bytes: Int64)
    case failed(reason: String, partialFile: PartialSnapshotFate)
}

/// What memwatchd did with a snapshot file that never became whole.
///
/// It is deleted: a truncated snapshot cannot be loaded by DevTools or memlab,
/// and it takes disk at the moment memory and disk are tight. If the writer is
/// still going (a timeout), its remaining writes go to the unlinked inode,
/// which the kernel frees when node closes it.
public enum PartialSnapshotFate: Sendable, Equatable, CustomStringConvertible {
    case noFile
    case deleted(path: String, bytes: Int64)
    /// Deleting failed; the file is still there.
    case left(path: String, reason: String)

    public var description: String {
        switch self {
        case .noFile: "no snapshot file was started"
        case let .deleted(path, bytes): "the partial file \(path) (\(HumanReadable.bytes(bytes))) was deleted"
        case let .left(path, reason): "the partial file \(path) could not be deleted (\(reason))"
        }
    }
}
