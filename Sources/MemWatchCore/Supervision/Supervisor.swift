import Foundation
import Glibc
import Synchronization
import SystemPackage

/// Runs the user's command the way a shell would, while memwatchd reads its
/// stdout: app output goes on to memwatchd's stdout byte for byte, GC trace
/// lines come out of ``traceRecords``.
///
/// - stdout is a pipe, or a pty when memwatchd's stdout is a terminal (so the
///   app still sees a terminal); stdin and stderr pass through.
/// - Nothing is read before ``start()``: memwatchd's signal handlers are in
///   place by then (``SupervisedCommand``), before the app's first output.
/// - ``passOn(_:)`` hands the signals memwatchd receives to the app;
///   ``stop(sending:)`` stops it with the ``TeardownSequence``.
/// - ``exit()`` gives the child's status once it exited and its output is
///   drained; memwatchd exits with its `shellStatus`.
public final class Supervisor: Sendable {
    public enum Terminal: Sendable {
        /// A pty when `outputFD` is a terminal, else a pipe.
        case automatic
        case pipe
        case pty
    }

    public struct Options: Sendable {
        /// Grace between SIGTERM and SIGKILL when stopping (`--stop-timeout`).
        public var stopTimeout: Duration = .seconds(10)
        /// Forward GC trace lines to stdout too (`--keep-gc-trace`).
        public var keepTrace = false
        public var terminal = Terminal.automatic
        /// Where the app's output goes: memwatchd's stdout.
        public var outputFD: Int32 = 1
        /// How long a possible start of a trace line may be held back.
        public var holdTimeout: Duration = .milliseconds(50)

        public init() {}
    }

    public let child: ChildProcess
    /// The command's process and those below it: the only pids whose trace
    /// lines are taken out of the output and handed on.
    public let scope: ProcessTreeScope
    /// Trace lines from the app's stdout, parsed, in order. Finishes when
    /// the output is drained.
    public let traceRecords: AsyncStream<[GCTraceRecord]>
    /// Whether the app runs on a pty.
    public let usesPty: Bool
    /// Whether memwatchd's own terminal is in raw mode (keys go to the app's
    /// pty): lines memwatchd prints there must end in `\r\n`.
    public let holdsTerminalRaw: Bool

    public var pid: Int32 { child.pid }

    private let options: Options
    private let pty: Pseudoterminal?
    /// Where the output pump hands the trace records.
    private let recordSink: AsyncStream<[GCTraceRecord]>.Continuation
    private let started = Atomic<Bool>(false)
    private let state = Mutex(State())
    private let stopRequested = Atomic<Bool>(false)

    private struct State {
        var exit: ChildExit?
        /// A stop is under way and its group is not yet empty: the command's
        /// own process may be gone while others of its group (a shell's
        /// child) still run, and memwatchd must not leave them behind.
        var stopUnsettled = false
        var outputDrained = false
        /// The app closed its stdout while it ran on: no trace can come any more.
        var outputClosedWhileRunning = false
        var waiters: [CheckedContinuation<ChildExit, Never>] = []
        var cleanup: [@Sendable () -> Void] = []
    }

    /// Starts `argv` (looked up in PATH) with `environment`.
    public init(argv: [String], environment: [String: String], options: Options = Options()) throws(SupervisorError) {
        self.options = options
        let stdinIsTerminal = isatty(0) == 1
        let wantsPty: Bool
        switch options.terminal {
        case .automatic: wantsPty = isatty(options.outputFD) == 1
        case .pipe: wantsPty = false
        case .pty: wantsPty = true
        }
        // A reader gone from memwatchd's stdout must not kill memwatchd: the
        // write fails with EPIPE and the output is dropped instead.
        signal(SIGPIPE, SIG_IGN)

        var pty: Pseudoterminal?
        if wantsPty {
            let opened = try Pseudoterminal()
            opened.copyWindowSize(from: isatty(options.outputFD) == 1 ? options.outputFD : 0)
            pty = opened
            child = try ChildProcess(
                argv: argv, environment: environment, output: .pty(opened, keepStdin: !stdinIsTerminal))
        } else {
            child = try ChildProcess(argv: argv, environment: environment, output: .pipe)
        }
        usesPty = pty != nil
        do {
            scope = ProcessTreeScope(root: try ProcessHandle(pid: child.pid))
        } catch {
            child.processGroup.signal(SIGKILL)
            let failure: Errno = if case let .cannotOpen(_, failure) = error { failure } else { .noSuchProcess }
            throw .system("opening a pidfd for the command", failure)
        }
        self.pty = pty
        // Batches as the pump reads them; the oldest go first when the
        // engine falls this far behind (memwatchd must not grow without bound).
        (traceRecords, recordSink) = AsyncStream.makeStream(
            of: [GCTraceRecord].self, bufferingPolicy: .bufferingNewest(4096))

        var cleanup: [@Sendable () -> Void] = []
        holdsTerminalRaw = pty != nil && stdinIsTerminal
        if holdsTerminalRaw {
            let raw = RawTerminal(fd: 0)
            cleanup.append { raw?.restore() }
        } else if !usesPty {
            cleanup.append(handTerminal(to: child.processGroup.id))
        }
        let finalCleanup = cleanup
        state.withLock { $0.cleanup = finalCleanup }
    }

    /// Starts passing the app's output on, and its stdin when it runs on a
    /// pty; later calls do nothing.
    public func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        // The throughput-critical path keeps a thread of its own: a read
        // never waits for a pool thread (Benchmarks/passthrough).
        Thread.detachNewThread { [self] in
            pumpOutput(to: recordSink)
            finish { $0.outputDrained = true }
        }
        let input = holdsTerminalRaw ? pty?.master : nil
        Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                if let input { group.addTask { await Self.pumpInput(into: input) } }
                let exit = await child.exit()
                group.cancelAll()
                finish { $0.exit = exit }
            }
        }
    }

    /// The child's exit status, once it exited and its output is drained
    /// (and memwatchd's terminal is restored).
    public func exit() async -> ChildExit {
        await withCheckedContinuation { continuation in
            let done: ChildExit? = state.withLock { state in
                guard state.outputDrained, !state.stopUnsettled, let exit = state.exit else {
                    state.waiters.append(continuation)
                    return nil
                }
                return exit
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Whether the app closed its stdout and then went on running: from then
    /// on its GC trace cannot be read. Known once ``traceRecords`` finished.
    public var outputClosedWhileRunning: Bool { state.withLock { $0.outputClosedWhileRunning } }

    /// Hands a signal memwatchd received to the app: SIGWINCH copies the
    /// window size to its pty; SIGUSR1 goes to the group's processes that
    /// catch it (its default action would kill a wrapper such as `sh`);
    /// any other to the whole group.
    public func passOn(_ number: Int32) {
        switch number {
        case SIGWINCH:
            pty?.copyWindowSize(from: isatty(options.outputFD) == 1 ? options.outputFD : 0)
        case SIGUSR1:
            let proc = ProcReader()
            for member in proc.members(ofProcessGroup: child.processGroup.id)
            where proc.status(of: member).value?.catches(signal: SIGUSR1) == true {
                kill(member, SIGUSR1)
            }
        default:
            child.processGroup.signal(number)
        }
    }

    /// Stops the app: the first call runs the teardown sequence, `signal`
    /// to the group, `stopTimeout`, then SIGKILL; ``exit()`` waits until the
    /// group is empty. A later call passes its signal on (a second Ctrl-C).
    public func stop(sending signal: Int32) {
        guard !stopRequested.exchange(true, ordering: .relaxed) else {
            child.processGroup.signal(signal)
            return
        }
        // The command's own process may be gone while others of its group
        // (a shell's child) still run: memwatchd must not leave them behind.
        finish { $0.stopUnsettled = true }
        let teardown = TeardownSequence.stop(sending: signal, grace: options.stopTimeout)
        Task { [self] in
            await teardown.run(on: child.processGroup)
            finish { $0.stopUnsettled = false }
        }
    }

    private func finish(_ update: (inout State) -> Void) {
        let (exit, waiters, cleanup): (ChildExit?, [CheckedContinuation<ChildExit, Never>], [@Sendable () -> Void]) =
            state.withLock { state in
                update(&state)
                guard state.outputDrained, !state.stopUnsettled, let exit = state.exit else { return (nil, [], []) }
                defer {
                    state.waiters = []
                    state.cleanup = []
                }
                return (exit, state.waiters, state.cleanup)
            }
        guard let exit else { return }
        for step in cleanup { step() }
        for waiter in waiters { waiter.resume(returning: exit) }
    }

    /// Reads the app's stdout until EOF (or, once the child exited, until it
    /// stays quiet: a grandchild may hold the pipe open for ever), filters it
    /// and writes the app's bytes on.
    private func pumpOutput(to records: AsyncStream<[GCTraceRecord]>.Continuation) {
        defer { records.finish() }
        let fd = child.outputFD
        let scope = scope
        var filter = TraceOutputFilter(
            keepTrace: options.keepTrace, admits: scope.admits,
            feedsAreWrites: child.readsWholeWrites)
        // App bytes go straight from the read buffer to memwatchd's stdout.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        var output = ForwardingSink(app: OutputSink(fd: options.outputFD), records: records, buffer: UnsafeRawBufferPointer(buffer))
        defer { buffer.deallocate() }
        let holdMs = Int32(options.holdTimeout.components.attoseconds / 1_000_000_000_000_000)
            + Int32(options.holdTimeout.components.seconds * 1000)
        // Non-blocking reads; poll only when the last read left the pipe
        // empty, and then on the child's pidfd too, so its exit wakes us.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var quietSinceExit = 0
        /// The child's pidfd turned readable: from then on the pipe only has
        /// to stay quiet for the pump to end.
        var exited = false
        var drained = true
        let packets = child.readsWholeWrites
        /// Bytes read since the pipe was last found empty.
        var burstBytes = 0
        /// When the pipe was last emptied by a small burst of reads.
        var lastSmallBurst: ContinuousClock.Instant?
        /// Packets of a burst are read one after another into the buffer, so
        /// the app bytes among them go out in one write.
        var used = 0
        defer { output.writePending() }
        while true {
            if drained {
                var pollers = [
                    pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: exited ? -1 : child.pidfd, events: Int16(POLLIN), revents: 0),
                ]
                let timeout: Int32 = filter.isHolding ? holdMs : (exited ? 100 : -1)
                let ready = (try? SystemCall.value { poll(&pollers, 2, timeout) }) ?? -1
                if pollers[0].revents == 0 {
                    if filter.isHolding {
                        filter.flush(into: &output)
                        output.writePending()
                    }
                    if exited && ready == 0 {
                        quietSinceExit += 1
                        if quietSinceExit >= 3 { break }
                    }
                    if pollers[1].revents != 0 { exited = true }
                    continue
                }
            }
            // A packet-mode read shorter than the packet loses the rest of it.
            if buffer.count - used < Self.pipeAtomicBytes {
                output.writePending()
                used = 0
            }
            let count: Int
            do {
                count = try SystemCall.value { read(fd, buffer.baseAddress! + used, buffer.count - used) }
            } catch {
                if error == .wouldBlock {
                    output.writePending()
                    used = 0
                    drained = true
                    if packets { napIfTrickling(burst: burstBytes, since: &lastSmallBurst) }
                    burstBytes = 0
                    continue
                }
                count = -1
            }
            if count <= 0 {  // EOF, or EIO from a pty whose slave is closed
                if !exited { noteIfClosedWhileRunning() }
                break
            }
            quietSinceExit = 0
            filter.feed(UnsafeRawBufferPointer(rebasing: buffer[used..<(used + count)]), into: &output)
            if packets {
                // One write a read: read on until the pipe is empty.
                drained = false
                burstBytes += count
                used += count
                continue
            }
            output.writePending()
            drained = count < buffer.count
            // Not while a line is open: a prompt and V8's line after it must
            // come in separate reads to be told apart from one app line.
            guard drained, !filter.endsMidLine else {
                lastSmallBurst = nil
                continue
            }
            napIfTrickling(burst: count, since: &lastSmallBurst)
        }
        filter.finish(into: &output)
    }

    /// PIPE_BUF: the most a packet-mode pipe puts in one packet.
    private static let pipeAtomicBytes = 4096

    /// An app that writes line by line (console.log) would wake this thread
    /// once a line, and pay for the wake-up in each write. When small bursts
    /// follow each other closely, a short nap lets lines gather: the app's
    /// writes then find the pipe non-empty and wake no one. A bulk writer
    /// reads big and an app that prints now and then reads at once: neither naps.
    private func napIfTrickling(burst: Int, since lastSmallBurst: inout ContinuousClock.Instant?) {
        guard burst < Self.trickleReadBytes else {
            lastSmallBurst = nil
            return
        }
        let now = ContinuousClock.now
        if let last = lastSmallBurst, last.duration(to: now) < Self.trickleInterval {
            usleep(Self.trickleNapMicroseconds)
        }
        lastSmallBurst = now
    }

    /// At EOF: a child that exits closes its stdout a moment before its
    /// pidfd turns readable, so it is given a second to do so.
    private func noteIfClosedWhileRunning() {
        guard !scope.root.exits(withinMilliseconds: 1000) else { return }
        state.withLock { $0.outputClosedWhileRunning = true }
    }

    private static let trickleReadBytes = 16 * 1024
    private static let trickleInterval = Duration.milliseconds(2)
    private static let trickleNapMicroseconds: UInt32 = 250

    /// Copies memwatchd's stdin (a terminal) to the pty until either side
    /// closes or the task is cancelled (the child exited).
    private static func pumpInput(into master: Int32) async {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var sink = OutputSink(fd: master)
        while !sink.closed, await EventLoop.shared.readable(0) == .ready {
            let count = (try? SystemCall.value { buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) } }) ?? -1
            if count <= 0 { return }
            sink.write(buffer[0..<count])
        }
    }

    /// In pipe mode the child runs in its own process group; if memwatchd
    /// is in the foreground of a terminal on stdin, the child must take that
    /// place, or reading stdin would stop it (SIGTTIN). Returns the undo.
    private func handTerminal(to group: pid_t) -> @Sendable () -> Void {
        guard isatty(0) == 1, tcgetpgrp(0) == getpgrp() else { return {} }
        let ours = getpgrp()
        withSIGTTOUBlocked { _ = tcsetpgrp(0, group) }
        // It may have read stdin before it was in the foreground, and stopped.
        kill(-group, SIGCONT)
        return { withSIGTTOUBlocked { _ = tcsetpgrp(0, ours) } }
    }
}

/// Where the output pump sends what the filter finds.
private struct ForwardingSink: TraceOutputSink {
    var app: OutputSink
    let records: AsyncStream<[GCTraceRecord]>.Continuation
    /// Records found since the last ``writePending()``: handed on together,
    /// one hop to the engine a read burst instead of one a line.
    private var batch: [GCTraceRecord] = []
    /// The pump's read buffer: app bytes in it may wait for ``writePending()``.
    let buffer: UnsafeRawBufferPointer
    /// App bytes in `buffer` not yet written; adjoining ones are written together.
    private var pending: Range<Int>?

    init(app: OutputSink, records: AsyncStream<[GCTraceRecord]>.Continuation, buffer: UnsafeRawBufferPointer) {
        self.app = app
        self.records = records
        self.buffer = buffer
    }

    mutating func appOutput(_ bytes: UnsafeRawBufferPointer) {
        guard let start = bytes.baseAddress, let base = buffer.baseAddress,
              start >= base, start + bytes.count <= base + buffer.count
        else {
            // Held bytes the filter kept apart: in order, at once.
            writePending()
            return app.write(bytes)
        }
        let range = (start - base)..<(start - base + bytes.count)
        if let waiting = pending, waiting.upperBound == range.lowerBound {
            pending = waiting.lowerBound..<range.upperBound
        } else {
            writePending()
            pending = range
        }
    }

    mutating func traceRecord(_ record: GCTraceRecord) { batch.append(record) }

    /// Hands the records found on, and writes the app bytes waiting in the
    /// read buffer: before it is reused, and whenever the pipe is drained.
    mutating func writePending() {
        if !batch.isEmpty {
            records.yield(batch)
            batch.removeAll(keepingCapacity: true)
        }
        guard let waiting = pending else { return }
        pending = nil
        app.write(UnsafeRawBufferPointer(rebasing: buffer[waiting]))
    }
}

/// A background process group calling tcsetpgrp gets SIGTTOU unless blocked.
private func withSIGTTOUBlocked(_ body: () -> Void) {
    var block = sigset_t(), old = sigset_t()
    sigemptyset(&block)
    sigaddset(&block, SIGTTOU)
    pthread_sigmask(SIG_BLOCK, &block, &old)
    body()
    pthread_sigmask(SIG_SETMASK, &old, nil)
}
