/// The kind of a recorded event. Open-ended (a string underneath) so a newer
/// memwatchd's events stay readable by an older `memwatchd events`.
public struct EventType: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let leak: EventType = "leak"
    public static let snapshot: EventType = "snapshot"
    public static let snapshotSkipped: EventType = "snapshot-skipped"
    public static let snapshotFailed: EventType = "snapshot-failed"
    /// A managed snapshot deleted to stay within the snapshot budget.
    public static let snapshotDeleted: EventType = "snapshot-deleted"
    public static let alert: EventType = "alert"
    public static let restart: EventType = "restart"
    public static let exit: EventType = "exit"

    /// Every type this memwatchd records, in the order `events --help` lists them.
    public static let known: [EventType] = [
        .leak, .snapshot, .snapshotSkipped, .snapshotFailed, .snapshotDeleted, .alert, .restart, .exit,
    ]
}
