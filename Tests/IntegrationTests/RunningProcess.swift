import CSystemd
import Foundation
import Glibc
import MemWatchCore
import Synchronization

/// The outcome of a finished process.
struct ProcessResult {
    /// As a shell reports it: the exit code, or 128+N when killed by signal N.
    var status: Int32
    var stdout: Data
    var stderr: Data
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// A started process whose stdout and stderr are collected as they come.
///
/// Spawned with `posix_spawnp` on close-on-exec pipes, not with Foundation's
/// `Process`: on Linux that makes each child's pipes and exit-watch socket
/// inheritable, so a process another test spawns in the same moment keeps
/// them open, and a one-second command looks alive until that other test's
/// app ends (CI saw `memwatchd events` "still ran after 120 s").
final class RunningProcess: Sendable {
    let command: [String]
    let pid: Int32
    private let pidfd: Int32
    private let output: CollectedOutput
    /// Shell-style status once reaped.
    private let status = Mutex<Int32?>(nil)

    /// Starts `executable` (a path, or a name looked up in PATH) with
    /// `environment` added to the test's own, in its own process group.
    /// `stdin` is written to its standard input, then closed; nil gives it /dev/null.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil) throws {
        if executable.hasPrefix("/") && !FileManager.default.isExecutableFile(atPath: executable) {
            throw TestFailure(executable == Repository.binary
                ? "\(executable) is missing: run `swift build` before the integration tests"
                : "\(executable) is not an executable file")
        }
        _ = Self.ignoreSIGPIPE
        command = [executable] + arguments
        let stdoutPipe = try Self.pipe(), stderrPipe = try Self.pipe()
        let stdinPipe = try stdin.map { _ in try Self.pipe() }

        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        if let stdinPipe {
            posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
        // Default dispositions (the test process ignores SIGPIPE), nothing
        // blocked, and a process group of its own, as a shell would start it.
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(command) { argv in
            withCStrings(environment) { envp in posix_spawnp(&pid, argv[0]!, &actions, &attributes, argv, envp) }
        }
        for fd in [stdoutPipe.write, stderrPipe.write, stdinPipe?.read].compactMap({ $0 }) { close(fd) }
        guard result == 0 else {
            for fd in [stdoutPipe.read, stderrPipe.read, stdinPipe?.write].compactMap({ $0 }) { close(fd) }
            throw TestFailure("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        pidfd = memwatch_pidfd_open(pid)
        guard pidfd >= 0 else { throw TestFailure("pidfd_open(\(pid)): \(String(cString: strerror(errno)))") }

        // Plain threads, not Dispatch: the suite starts dozens of processes at
        // once, each reading for a minute, which would hold Dispatch's pool.
        let output = CollectedOutput()
        self.output = output
        Thread { output.collect(stdout: stdoutPipe.read, stderr: stderrPipe.read) }.start()
        if let stdinPipe, let stdin {
            // Written concurrently with the reads: either pipe may fill up.
            Thread { writeAll(stdin, to: stdinPipe.write); close(stdinPipe.write) }.start()
        }
    }

    /// Signals the process (never a later one that reused its pid).
    func signal(_ number: Int32) { _ = memwatch_pidfd_send_signal(pidfd, number) }

    /// Stdout so far.
    var stdoutSoFar: String { String(decoding: output.snapshot().stdout, as: UTF8.self) }

    /// Stderr so far.
    var stderrSoFar: String { String(decoding: output.snapshot().stderr, as: UTF8.self) }

    /// Whether the process has exited (reaping it).
    var hasExited: Bool { reap() != nil }

    /// Waits until stdout (or stderr) contains `marker` and returns it so far;
    /// fails if the process ends first or after `timeout` seconds.
    @discardableResult
    func waitForOutput(_ marker: String, onStderr: Bool = false, timeout: TimeInterval = 60) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let exited = reap() != nil
            let text = onStderr ? stderrSoFar : stdoutSoFar
            if text.contains(marker) { return text }
            if exited {
                throw TestFailure("\(command) exited before printing \(String(reflecting: marker)); stdout: \(text)")
            }
            if Date() > deadline { throw TestFailure("no \(String(reflecting: marker)) after \(Int(timeout)) s; stdout: \(text)") }
            usleep(10_000)
        }
    }

    /// Waits for the exit and the end of its output; kills the process (and
    /// fails the wait) after `timeout` seconds, so a hung test ends instead
    /// of stalling the suite.
    func wait(timeout: TimeInterval = 120) throws -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        while reap() == nil && Date() < deadline { usleep(20_000) }
        guard let status = reap() else {
            kill()
            throw TestFailure("\(command) still ran after \(Int(timeout)) s")
        }
        // The output ends when every process that inherited it has closed it.
        while !output.snapshot().ended {
            if Date() > deadline {
                throw TestFailure("\(command) exited (\(status)), but a process it started still holds its stdout or stderr")
            }
            usleep(20_000)
        }
        let collected = output.snapshot()
        return ProcessResult(status: status, stdout: collected.stdout, stderr: collected.stderr)
    }

    /// SIGKILL if still running, then reaps it.
    func kill() {
        if reap() == nil { signal(SIGKILL) }
        _ = reap(blocking: true)
    }

    /// The shell-style status once the process has exited (reaping it), else nil.
    private func reap(blocking: Bool = false) -> Int32? {
        status.withLock { (status: inout Int32?) -> Int32? in
            if status == nil { status = ChildExit.reap(pidfd: pidfd, blocking: blocking)?.shellStatus }
            return status
        }
    }

    deinit { close(pidfd) }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard memwatch_pipe_cloexec(&fds) == 0 else { throw TestFailure("pipe: \(String(cString: strerror(errno)))") }
        return (fds[0], fds[1])
    }

    /// A child that stops reading its stdin must fail the write, not kill the tests.
    private static let ignoreSIGPIPE: Void = { Glibc.signal(SIGPIPE, SIG_IGN) }()
}

/// A process's stdout and stderr, read until both end.
private final class CollectedOutput: Sendable {
    private let state = Mutex((stdout: Data(), stderr: Data(), ended: false))

    func snapshot() -> (stdout: Data, stderr: Data, ended: Bool) { state.withLock { $0 } }

    /// Reads both descriptors until each reaches its end, then closes them.
    func collect(stdout: Int32, stderr: Int32) {
        var fds = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 || errno == EINTR else { break }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    let chunk = Data(buffer[..<count])
                    state.withLock { if index == 0 { $0.stdout += chunk } else { $0.stderr += chunk } }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[index].fd)
                    fds[index].fd = -1
                }
            }
        }
        state.withLock { $0.ended = true }
    }
}

/// Writes all of `data` to `fd`, giving up when the reader has gone.
private func writeAll(_ data: Data, to fd: Int32) {
    data.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 { offset += written } else if errno != EINTR { return }
        }
    }
}

func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil,
    timeout: TimeInterval = 120
) throws -> ProcessResult {
    try RunningProcess(executable, arguments, environment: environment, stdin: stdin).wait(timeout: timeout)
}
