import CSystemd
import Glibc
import SystemPackage

/// The user's command, started in its own process group (or, on a pty, its
/// own session with the pty as controlling terminal).
///
/// Started with `posix_spawnp`: Foundation's `Process` cannot set a session or
/// controlling terminal, and `fork` is unsafe in a threaded Swift process.
/// The child is reaped through a pidfd, so waiting never takes another child's
/// status and a signal never hits a later process that reused the pid.
public final class ChildProcess: Sendable {
    /// Where the child's stdout (and, on a pty, stdin and stderr) go.
    public enum Output: Sendable {
        /// stdout into a pipe memwatchd reads; stdin and stderr inherited.
        case pipe
        /// stdin, stdout and stderr on the pty's slave, which becomes the
        /// child's controlling terminal. With `keepStdin`, stdin is inherited
        /// instead (memwatchd's own stdin is not a terminal).
        case pty(Pseudoterminal, keepStdin: Bool)
    }

    public let pid: Int32
    /// The child's process group (its pid): signals for "the app" go here.
    public let processGroup: ProcessGroup
    /// memwatchd's end of the child's stdout: the pipe's read end or the pty master.
    public let outputFD: Int32
    /// Each read of `outputFD` returns one of the app's writes (or a
    /// PIPE_BUF piece of a larger one): a packet-mode pipe. Not for a pty.
    public let readsWholeWrites: Bool
    /// Readable once the child has exited.
    let pidfd: Int32

    static let POSIX_SPAWN_SETSID: Int32 = 0x80  // glibc's, hidden behind _GNU_SOURCE
    static let F_SETPIPE_SZ: Int32 = 1031  // glibc's, hidden behind _GNU_SOURCE
    /// 256 slots of a page: the default `pipe-max-size`, allowed to any user.
    static let packetPipeBytes: Int32 = 1 << 20

    public init(argv: [String], environment: [String: String], output: Output) throws(SupervisorError) {
        precondition(!argv.isEmpty, "ChildProcess needs a command")
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        posix_spawnattr_init(&attributes)
        posix_spawn_file_actions_init(&actions)
        defer {
            posix_spawnattr_destroy(&attributes)
            posix_spawn_file_actions_destroy(&actions)
        }

        // The child starts with default dispositions and nothing blocked,
        // whatever memwatchd ignores or blocks for its own signal handling.
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)

        let readEnd: Int32
        var writeEnd: Int32 = -1
        switch output {
        case .pipe:
            var fds: [Int32] = [-1, -1]
            // Packet mode tells V8's lines from app text that quotes them
            // (TraceOutputFilter); a kernel without it gets a plain pipe.
            if (try? SystemCall.value { memwatch_packet_pipe_cloexec(&fds) }) != nil {
                readsWholeWrites = true
                // Each write takes one of the pipe's page slots, however small:
                // 16 by default, which a burst of V8's short trace writes fills
                // while memwatchd waits for a core. 256 slots hold such bursts.
                _ = fcntl(fds[1], Self.F_SETPIPE_SZ, Self.packetPipeBytes)
            } else {
                do {
                    try SystemCall.value { memwatch_pipe_cloexec(&fds) }
                } catch {
                    throw .system("pipe", error)
                }
                readsWholeWrites = false
            }
            // The default 64 KB pipe stays: larger ones measured slower
            // (the bytes fall out of cache between the write and the read).
            readEnd = fds[0]
            writeEnd = fds[1]
            posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        case .pty(let pty, let keepStdin):
            readEnd = pty.master
            readsWholeWrites = false
            // After setsid, opening the slave without O_NOCTTY makes it the
            // controlling terminal (glibc runs setsid before the file actions).
            let first: Int32 = keepStdin ? 1 : 0
            posix_spawn_file_actions_addopen(&actions, first, pty.slavePath, O_RDWR, 0)
            for fd in Int32(0)...2 where fd != first && !(keepStdin && fd == 0) {
                posix_spawn_file_actions_adddup2(&actions, first, fd)
            }
            flags |= Self.POSIX_SPAWN_SETSID
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var pid: pid_t = 0
        let spawned = Result { () throws(Errno) in
            try SystemCall.status {
                withCStrings(argv) { cArgv in
                    withCStrings(environment.map { "\($0.key)=\($0.value)" }) { cEnvironment in
                        posix_spawnp(&pid, cArgv[0]!, &actions, &attributes, cArgv, cEnvironment)
                    }
                }
            }
        }
        if writeEnd >= 0 { close(writeEnd) }
        if case let .failure(failure) = spawned {
            if case .pipe = output { close(readEnd) }
            throw .cannotExecute(command: argv[0], failure)
        }
        let pidfd: Int32
        do {
            pidfd = try SystemCall.value { memwatch_pidfd_open(pid) }
        } catch {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = try? SystemCall.value { waitpid(pid, &status, 0) }
            throw .system("pidfd_open", error)
        }
        self.pid = pid
        self.processGroup = ProcessGroup(id: pid)
        self.outputFD = readEnd
        self.pidfd = pidfd
    }

    /// Waits until the child exits, then reaps it: the wait is on the event
    /// loop, so no thread is held. Call once.
    public func exit(on loop: EventLoop = .shared) async -> ChildExit {
        // Not ready only when epoll refused the pidfd (a broken system) or the
        // task was cancelled: then the reap itself waits, blocking.
        let exited = await loop.readable(pidfd) == .ready
        return ChildExit.reap(pidfd: pidfd, blocking: !exited) ?? Self.statusLost
    }

    /// The same, blocking the calling thread: for callers that may block.
    public func waitForExit() -> ChildExit {
        ChildExit.reap(pidfd: pidfd, blocking: true) ?? Self.statusLost
    }

    /// A stray waitpid(-1) elsewhere reaped the child: its status is lost.
    private static let statusLost = ChildExit.exited(code: 255)

    deinit {
        close(pidfd)
        close(outputFD)
    }
}
