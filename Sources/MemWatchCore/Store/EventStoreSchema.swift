import Foundation
import GRDB

/// The store's tables, grown only by appending migrations so old stores upgrade.
enum EventStoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events") { db in
            try db.create(table: "event") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("time", .datetime).notNull()
                table.column("type", .text).notNull()
                table.column("pid", .integer)
                table.column("isolate", .text)
                table.column("thread", .integer)
                table.column("detector", .text)
                table.column("reason", .text)
                table.column("path", .text)
                table.column("bytes", .integer)
                table.column("seconds", .double)
                table.column("heap_used", .integer)
                table.column("rss", .integer)
                table.column("details", .jsonText)
            }
            try db.create(index: "event_by_type_pid", on: "event", columns: ["type", "pid"])
        }
        return migrator
    }
}

/// `MemWatchEvent` as a row of the `event` table.
struct EventRow: FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "event"
    var event: MemWatchEvent

    init(_ event: MemWatchEvent) { self.event = event }

    init(row: Row) throws {
        var details: [String: EventDetail] = [:]
        if let json: String = row["details"], let data = json.data(using: .utf8) {
            details = (try? JSONDecoder().decode([String: EventDetail].self, from: data)) ?? [:]
        }
        event = MemWatchEvent(
            id: row["id"], time: row["time"], type: EventType(rawValue: row["type"]), pid: row["pid"],
            isolate: row["isolate"], thread: row["thread"], detector: row["detector"], reason: row["reason"], path: row["path"],
            bytes: row["bytes"], seconds: row["seconds"], heapUsed: row["heap_used"], rss: row["rss"],
            details: details)
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = event.id
        container["time"] = event.time
        container["type"] = event.type.rawValue
        container["pid"] = event.pid
        container["isolate"] = event.isolate
        container["thread"] = event.thread
        container["detector"] = event.detector
        container["reason"] = event.reason
        container["path"] = event.path
        container["bytes"] = event.bytes
        container["seconds"] = event.seconds
        container["heap_used"] = event.heapUsed
        container["rss"] = event.rss
        container["details"] = event.details.isEmpty
            ? nil : String(decoding: try JSONEncoder().encode(event.details), as: UTF8.self)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        event.id = inserted.rowID
    }
}
