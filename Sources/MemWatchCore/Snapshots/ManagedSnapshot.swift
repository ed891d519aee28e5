import Foundation

/// A snapshot file memwatchd wrote and recorded, and so may delete to stay
/// within the snapshot budget. Files memwatchd did not record are never touched.
public struct ManagedSnapshot: Sendable, Equatable, Hashable {
    public var path: String
    public var bytes: Int64
    public var time: Date

    public init(path: String, bytes: Int64, time: Date) {
        self.path = path
        self.bytes = bytes
        self.time = time
    }
}
