import Foundation

/// Fresh files and directories under the system temp dir, for tests that
/// need real ones (file descriptors, SQLite, fixture trees).
enum TemporaryFiles {
    /// A new, empty directory named `label-<uuid>`.
    static func directory(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A new file named `label-<uuid><suffix>` holding `data`.
    static func file(_ data: Data, label: String, suffix: String = "") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)\(suffix)")
        try data.write(to: url)
        return url
    }

    /// A heap snapshot file (`.heapsnapshot`) holding `text` or `data`.
    static func heapSnapshot(_ text: String) throws -> URL { try heapSnapshot(Data(text.utf8)) }
    static func heapSnapshot(_ data: Data) throws -> URL {
        try file(data, label: "memwatch-heap", suffix: ".heapsnapshot")
    }
}
