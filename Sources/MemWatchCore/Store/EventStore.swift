import Foundation
import GRDB
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The events memwatchd recorded: SQLite at `<state>/events.sqlite` in WAL
/// mode, so `memwatchd events` reads while a daemon writes.
public final class EventStore: Sendable {
    public let path: String
    private let database: any DatabaseWriter

    /// Opens (creating if needed) the store at `path` for recording. The file
    /// and its WAL are 0600 whatever the umask: SQLite gives the WAL and
    /// shared-memory files the database's own mode.
    public init(path: String) throws(EventStoreError) {
        self.path = path
        do {
            try Self.makePrivate(path)
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            database = try DatabasePool(path: path, configuration: configuration)
            try EventStoreSchema.migrator.migrate(database)
            for suffix in ["-wal", "-shm"] { try Self.makePrivate(path + suffix, create: false) }
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw Self.isCorruption(error)
                ? .corrupt(path: path, reason: Self.message(error)) : .cannotOpen(path: path, reason: Self.message(error))
        }
    }

    /// A store that lives in memory only, for when the file cannot be used:
    /// watching goes on, and what it records is lost at exit.
    private init(inMemoryStandingFor path: String) throws {
        self.path = path
        database = try DatabaseQueue()
        try EventStoreSchema.migrator.migrate(database)
    }

    /// Opens the store for a watching command, which must never be stopped by
    /// it: a corrupt file is moved aside (`events.sqlite.corrupt-<time>`) and a
    /// fresh one made; a file that cannot be used at all gives a store in
    /// memory. `notes` say what was done, for the alert sinks.
    public static func openForWatching(path: String, now: Date = Date()) -> (store: EventStore, notes: [String]) {
        do {
            return (try EventStore(path: path), [])
        } catch let error {
            var notes: [String] = []
            if case .corrupt = error {
                let aside = path + ".corrupt-" + Self.stamp(now)
                do {
                    try SystemCall.value { rename(path, aside) }
                    for suffix in ["-wal", "-shm"] { _ = try? SystemCall.value { rename(path + suffix, aside + suffix) } }
                    notes.append("\(error.description); moved it to \(aside) and started a fresh store")
                    if let fresh = try? EventStore(path: path) { return (fresh, notes) }
                } catch let failure {
                    notes.append("\(error.description); cannot move it aside: \(failure)")
                }
            } else {
                notes.append(error.description)
            }
            // A schema in memory cannot fail but for lack of memory, and then nothing can go on.
            let memory = try! EventStore(inMemoryStandingFor: path)
            notes.append("events of this run are kept in memory only and are lost at exit; `memwatchd events` will not show them")
            return (memory, notes)
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

    /// Creates `file` 0600 if missing (`create`), never through a symlink,
    /// and takes group and other bits off one an older memwatchd left open.
    private static func makePrivate(_ file: String, create: Bool = true) throws(EventStoreError) {
        let fd: Int32
        do {
            fd = try SystemCall.value { open(file, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0o600) }
        } catch {
            if !create && error == .noSuchFileOrDirectory { return }
            let reason = error == .tooManySymbolicLinkLevels ? "it is a symbolic link" : error.description
            throw .cannotOpen(path: file, reason: reason)
        }
        defer { close(fd) }
        var info = stat()
        guard (try? SystemCall.value { fstat(fd, &info) }) != nil, info.st_mode & S_IFMT == S_IFREG else {
            throw .cannotOpen(path: file, reason: "not a regular file")
        }
        if info.st_mode & 0o077 != 0, info.st_uid == geteuid() { fchmod(fd, 0o600) }
    }

    private static func isCorruption(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
    }

    /// `20261202T011500Z`: sorts by time, safe in a file name.
    private static func stamp(_ time: Date) -> String {
        var seconds = time_t(time.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    private static func message(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? String(describing: error)
    }
}

/// A store that cannot be used, naming the file.
public enum EventStoreError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    /// The file is not an SQLite database, or a damaged one.
    case corrupt(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "cannot open event store \(path): \(reason)"
        case let .corrupt(path, reason): "event store \(path) is damaged: \(reason)"
        case let .cannotWrite(path, reason): "cannot record event in \(path): \(reason)"
        case let .cannotRead(path, reason): "cannot read events from \(path): \(reason)"
        }
    }
}
