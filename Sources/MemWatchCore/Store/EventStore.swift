import Foundation
import GRDB

/// The events memwatchd recorded: SQLite at `<state>/events.sqlite` in WAL
/// mode, so `memwatchd events` reads while a daemon writes.
public final class EventStore: Sendable {
    public let path: String
    private let database: DatabasePool

    /// Opens (creating if needed) the store at `path` for recording.
    public init(path: String) throws(EventStoreError) {
        self.path = path
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            database = try DatabasePool(path: path, configuration: configuration)
            try EventStoreSchema.migrator.migrate(database)
        } catch {
            throw .cannotOpen(path: path, reason: Self.message(error))
        }
    }

    /// Opens (creating the state directory, 0700, and the store if needed)
    /// `<state>/events.sqlite`.
    public convenience init(in state: StateDirectory) throws(EventStoreError) {
        do { try state.create() } catch {
            throw .cannotOpen(path: state.eventStorePath, reason: error.description)
        }
        try self.init(path: state.eventStorePath)
    }

    /// Opens an existing store only to read it; nil when there is none yet.
    public init?(readingFrom path: String) throws(EventStoreError) {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        self.path = path
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(5)
            database = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .cannotOpen(path: path, reason: Self.message(error))
        }
    }

    /// Appends `event`; returns it with its id.
    @discardableResult
    public func record(_ event: MemWatchEvent) throws(EventStoreError) -> MemWatchEvent {
        do {
            return try database.write { db in
                var row = EventRow(event)
                try row.insert(db)
                return row.event
            }
        } catch {
            throw .cannotWrite(path: path, reason: Self.message(error))
        }
    }

    /// Adds facts learnt later to a recorded event, e.g. what grew between the
    /// snapshots that followed a leak. Returns the event as now stored.
    @discardableResult
    public func addDetails(_ details: [String: EventDetail], toEvent id: Int64) throws(EventStoreError) -> MemWatchEvent? {
        do {
            return try database.write { db in
                guard var row = try EventRow.fetchOne(db, key: id) else { return nil }
                row.event.details.merge(details) { $1 }
                try row.update(db)
                return row.event
            }
        } catch {
            throw .cannotWrite(path: path, reason: Self.message(error))
        }
    }

    /// Events oldest first, optionally of one type and/or one pid.
    public func events(type: EventType? = nil, pid: Int32? = nil) throws(EventStoreError) -> [MemWatchEvent] {
        do {
            return try database.read { db in
                var request = EventRow.all()
                if let type { request = request.filter(Column("type") == type.rawValue) }
                if let pid { request = request.filter(Column("pid") == pid) }
                return try request.order(Column("time"), Column("id")).fetchAll(db).map(\.event)
            }
        } catch {
            throw .cannotRead(path: path, reason: Self.message(error))
        }
    }

    /// Snapshots memwatchd recorded and has not deleted since, oldest first.
    /// Whether each file still exists is for the caller to check.
    public func managedSnapshots() throws(EventStoreError) -> [ManagedSnapshot] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT path, bytes, time FROM event
                    WHERE type = 'snapshot' AND path IS NOT NULL
                      AND path NOT IN (SELECT path FROM event WHERE type = 'snapshot-deleted' AND path IS NOT NULL)
                    ORDER BY time, id
                    """
                ).map { ManagedSnapshot(path: $0["path"], bytes: $0["bytes"] ?? 0, time: $0["time"]) }
            }
        } catch {
            throw .cannotRead(path: path, reason: Self.message(error))
        }
    }

    /// How many snapshots of `pid` (of worker `thread`'s heap, or when nil the
    /// main thread's) were written at or after `since` (the process's start, so
    /// a reused pid starts afresh), and the last one's time.
    public func snapshotHistory(
        pid: Int32, thread: Int? = nil, since: Date
    ) throws(EventStoreError) -> (count: Int, last: Date?) {
        do {
            return try database.read { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT COUNT(*) AS count, MAX(time) AS last FROM event
                    WHERE type = 'snapshot' AND pid = ? AND thread IS ? AND time >= ?
                    """, arguments: [pid, thread, since])
                return (row?["count"] ?? 0, row?["last"])
            }
        } catch {
            throw .cannotRead(path: path, reason: Self.message(error))
        }
    }

    private static func message(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? String(describing: error)
    }
}

/// A store that cannot be used, naming the file.
public enum EventStoreError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "cannot open event store \(path): \(reason)"
        case let .cannotWrite(path, reason): "cannot record event in \(path): \(reason)"
        case let .cannotRead(path, reason): "cannot read events from \(path): \(reason)"
        }
    }
}
