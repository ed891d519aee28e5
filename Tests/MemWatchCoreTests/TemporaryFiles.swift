import Foundation
import TestSupport

/// Fresh files in this test run's folder, for tests that need real ones
/// (file descriptors, heap snapshot files); directories come from
/// `TestRunDirectory.makeDirectory`.
enum TemporaryFiles {
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
