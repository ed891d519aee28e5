import Foundation
import TestSupport

/// Fresh files and directories in this test run's folder, for tests that
/// need real ones (file descriptors, SQLite, fixture trees).
enum TemporaryFiles {
    /// A new, empty directory named `label-<uuid>`.
    static func directory(_ label: String) throws -> String {
        try TestRunDirectory.makeDirectory(label)
    }

    /// A new file named `label-<uuid><suffix>` holding `data`.
    static func file(_ data: Data, label: String, suffix: String = "") throws -> URL {
        let url = URL(fileURLWithPath: TestRunDirectory.path + "/\(label)-\(UUID().uuidString)\(suffix)")
        try data.write(to: url)
        return url
    }

    /// A heap snapshot file (`.heapsnapshot`) holding `text` or `data`.
    static func heapSnapshot(_ text: String) throws -> URL { try heapSnapshot(Data(text.utf8)) }
    static func heapSnapshot(_ data: Data) throws -> URL {
        try file(data, label: "memwatch-heap", suffix: ".heapsnapshot")
    }
}
