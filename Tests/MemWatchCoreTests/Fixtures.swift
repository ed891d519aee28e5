import Foundation

/// Test fixtures live in `Tests/Fixtures`, found from this source file's path.
enum Fixtures {
    /// The repository checkout these tests belong to.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: url(relativePath))
    }
}
