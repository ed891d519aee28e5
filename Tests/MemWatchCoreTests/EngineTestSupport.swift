import CSystemd
import Foundation
import Glibc
import Synchronization
@testable import MemWatchCore

/// A real process to stand for a watched one: `sleep`, killed by the test.
final class StandInProcess: Sendable {
    let process: Process

    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["300"]
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// A new handle on this process under `pid` (a fixture /proc tree's),
    /// through a pidfd of its own.
    func handle(as pid: Int32) throws -> ProcessHandle {
        ProcessHandle(pid: pid, adopting: try SystemCall.value { memwatch_pidfd_open(self.pid) })
    }

    func end() {
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    deinit { if process.isRunning { end() } }
}

/// A scope of fixture pids, each stood in for by a real process; the test
/// may swap the process behind a pid (pid reuse).
final class FixtureScope: WatchScope {
    private let handles = Mutex<[Int32: ProcessHandle]>([:])
    let forgotten = Mutex<[Int32]>([])

    func hold(_ pid: Int32, by stand: StandInProcess) throws {
        let handle = try stand.handle(as: pid)
        handles.withLock { $0[pid] = handle }
    }

    func handle(for pid: Int32) -> ProcessHandle? { handles.withLock { $0[pid] } }

    func forget(_ handle: ProcessHandle) { forgotten.withLock { $0.append(handle.pid) } }
}

/// A trace source the test feeds.
struct FakeTraceSource: TraceSource {
    let stream: AsyncStream<[GCTraceRecord]>
    let continuation: AsyncStream<[GCTraceRecord]>.Continuation
    var note: MemWatchEvent?

    init(note: MemWatchEvent? = nil) {
        (stream, continuation) = AsyncStream.makeStream(of: [GCTraceRecord].self)
        self.note = note
    }

    func records() -> AsyncStream<[GCTraceRecord]> { stream }
    func endNote() -> MemWatchEvent? { note }

    /// In batches of a few, as a pipe's reads would bring them.
    func send(_ events: [GCEvent]) {
        for start in stride(from: 0, to: events.count, by: 7) {
            continuation.yield(events[start..<min(start + 7, events.count)].map { .gc($0) })
        }
    }

    func end() { continuation.finish() }
}

/// Alerts kept for the test to read.
final class RecordingAlertSink: AlertSink {
    let alerts = Mutex<[Alert]>([])
    func emit(_ alert: Alert) { alerts.withLock { $0.append(alert) } }
}

/// Waits for `condition` (checked every few milliseconds) for up to `seconds`:
/// a bound against a hang, not a timing. The suite runs in one process, and
/// the integration tests' blocking waits on node children can hold every
/// thread of the cooperative pool (one per core) for minutes.
func eventually(seconds: Double = 900, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return await condition()
}
