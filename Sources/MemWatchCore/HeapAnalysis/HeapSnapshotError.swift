import SystemPackage

/// Why a heap snapshot could not be read: a message for a person, with the byte offset where
/// reading stopped so a truncated or foreign file can be recognised at once.
public struct HeapSnapshotError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable, Equatable {
        case cannotOpen = "cannot open"
        case truncated = "truncated"
        case notASnapshot = "not a heap snapshot"
        case unsupportedFormat = "unsupported format"
        case malformed = "malformed"
    }

    public let kind: Kind
    public let path: String
    public let byteOffset: Int?
    public let message: String
    /// The system's reason, when opening or reading the file failed.
    public let failure: Errno?

    public init(_ kind: Kind, path: String, byteOffset: Int?, message: String) {
        self.kind = kind
        self.path = path
        self.byteOffset = byteOffset
        self.message = message
        failure = nil
    }

    /// The file could not be opened (`operation` nil) or a call on it failed.
    init(cannotOpen path: String, byteOffset: Int?, operation: String? = nil, failure: Errno) {
        kind = .cannotOpen
        self.path = path
        self.byteOffset = byteOffset
        message = operation.map { "\($0) failed: \(failure)" } ?? failure.description
        self.failure = failure
    }

    public var description: String {
        let place = byteOffset.map { " at byte \($0)" } ?? ""
        return "\(path): \(kind.rawValue)\(place): \(message)"
    }
}
