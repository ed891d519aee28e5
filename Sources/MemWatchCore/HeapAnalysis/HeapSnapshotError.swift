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

    public init(_ kind: Kind, path: String, byteOffset: Int?, message: String) {
        self.kind = kind
        self.path = path
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String {
        let place = byteOffset.map { " at byte \($0)" } ?? ""
        return "\(path): \(kind.rawValue)\(place): \(message)"
    }
}
