import CSystemd
import Foundation
import Synchronization
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The one thread on which memwatchd waits for file descriptors: one epoll
/// over every pidfd, inotify descriptor and (later) the journal's fd anyone
/// awaits, plus an eventfd that wakes it. A waiter suspends in async code and
/// is resumed from here through its continuation, so no thread is held per
/// wait and no one polls.
///
/// A wait is one-shot: the descriptor leaves the epoll when it turns ready
/// (or the wait is cancelled), and the waiter reads or waits again. Several
/// waiters may wait on one descriptor (the registry and a snapshot watcher on
/// the same pidfd): epoll keys its entries by descriptor number, so a second
/// waiter is given a duplicate (the first waits on the descriptor itself, so
/// that hundreds of watched processes do not cost twice their pidfds).
/// Timeouts are the caller's (`readable(_:timeout:)` races a sleep), so the
/// loop itself never wakes on a timer.
public final class EventLoop: Sendable {
    public enum Wake: Sendable, Equatable {
        case ready
        case timedOut
        case cancelled
        /// The descriptor could not be added (EBADF, ENOMEM, ...).
        case failed(Errno)
    }

    /// The loop memwatchd uses; its thread starts with the first wait.
    public static let shared = EventLoop()

    private struct Waiter {
        /// The descriptor added to the epoll: the caller's, or a duplicate
        /// of it when another waiter has the caller's in already.
        var descriptor: Int32
        var isDuplicate: Bool
        var continuation: CheckedContinuation<Wake, Never>?
        var cancelled = false
    }

    private let epoll: Int32
    private let wakeUp: Int32
    private let waiters = Mutex<[UInt64: Waiter]>([:])
    private let nextToken = Atomic<UInt64>(1)
    private let started = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)

    /// Token of the eventfd's entry.
    private static let wakeUpToken: UInt64 = 0

    init() {
        // No epoll or eventfd means a broken system, not a bad input.
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeUp = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epoll >= 0 && wakeUp >= 0, "memwatchd: cannot create its epoll or eventfd: \(Errno.last)")
        _ = memwatch_epoll_add(epoll, wakeUp, UInt32(EPOLLIN.rawValue), Self.wakeUpToken)
    }

    /// Waits until `descriptor` is readable (a pidfd: the process exited), the
    /// task is cancelled, or `timeout` passes.
    public func readable(_ descriptor: Int32, timeout: Duration? = nil) async -> Wake {
        guard let timeout else { return await readable(descriptor) }
        return await firstReadable(among: [descriptor], timeout: timeout).wake
    }

    /// Waits until one of `descriptors` is readable, `timeout` passes or the
    /// task is cancelled; `index` names the descriptor a `.ready` is for.
    public func firstReadable(among descriptors: [Int32], timeout: Duration) async -> (wake: Wake, index: Int?) {
        await withTaskGroup(of: (Wake, Int?).self) { group in
            for (index, descriptor) in descriptors.enumerated() {
                group.addTask { (await self.readable(descriptor), index) }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return (.cancelled, nil) }
                return (.timedOut, nil)
            }
            let first = await group.next() ?? (.cancelled, nil)
            group.cancelAll()
            return first
        }
    }

    /// Waits until `descriptor` is readable or the task is cancelled.
    public func readable(_ descriptor: Int32) async -> Wake {
        startIfNeeded()
        let token = nextToken.add(1, ordering: .relaxed).oldValue
        let added: Int32 = waiters.withLock { table in
            if table.values.contains(where: { $0.descriptor == descriptor }) { return -1 }
            table[token] = Waiter(descriptor: descriptor, isDuplicate: false)
            return descriptor
        }
        if added < 0 {
            do {
                let copy = try SystemCall.value { fcntl(descriptor, F_DUPFD_CLOEXEC, 3) }
                waiters.withLock { $0[token] = Waiter(descriptor: copy, isDuplicate: true) }
            } catch {
                return .failed(error)
            }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let failure: Wake? = waiters.withLock { table -> Wake? in
                    table[token]?.continuation = continuation
                    if table[token]?.cancelled != false { return .cancelled }
                    guard let waiter = table[token] else { return .cancelled }
                    let events = UInt32(EPOLLIN.rawValue) | UInt32(EPOLLRDHUP.rawValue)
                    do throws(Errno) {
                        try SystemCall.value { memwatch_epoll_add(epoll, waiter.descriptor, events, token) }
                        return nil
                    } catch {
                        return .failed(error)
                    }
                }
                if let failure { finish(token, with: failure) }
            }
        } onCancel: {
            finish(token, with: .cancelled)
        }
    }

    /// Ends a wait once: its descriptor leaves the epoll (a duplicate is
    /// closed) and its waiter resumes. A wait not yet suspended is marked,
    /// and ends as it suspends.
    private func finish(_ token: UInt64, with wake: Wake) {
        let ended: Waiter? = waiters.withLock { table in
            guard var waiter = table[token] else { return nil }
            guard waiter.continuation != nil else {
                waiter.cancelled = true
                table[token] = waiter
                return nil
            }
            table[token] = nil
            // Gone from the epoll before the caller may close the descriptor
            // (ENOENT when the loop took it out already, or it was never added).
            _ = memwatch_epoll_remove(epoll, waiter.descriptor)
            return waiter
        }
        guard let ended else { return }
        if ended.isDuplicate { close(ended.descriptor) }
        ended.continuation?.resume(returning: wake)
    }

    private func startIfNeeded() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in run() }
        thread.name = "memwatchd.events"
        thread.start()
    }

    private func run() {
        var tokens = [UInt64](repeating: 0, count: 64)
        var events = [UInt32](repeating: 0, count: 64)
        while true {
            let count = (try? SystemCall.value { memwatch_epoll_wait(epoll, &tokens, &events, 64, -1) }) ?? 0
            for index in 0..<Int(count) {
                if tokens[index] == Self.wakeUpToken {
                    var value: UInt64 = 0
                    _ = read(wakeUp, &value, 8)
                    if stopping.load(ordering: .acquiring) { return closeDescriptors() }
                    continue
                }
                // `finish` takes the entry out before its waiter resumes, so a
                // level-triggered descriptor reports once per wait.
                finish(tokens[index], with: .ready)
            }
        }
    }

    /// Ends the loop's thread (a loop of a test's own; the shared one runs
    /// as long as memwatchd). Waits still suspended are cancelled.
    func shutdown() {
        stopping.store(true, ordering: .releasing)
        if !started.exchange(true, ordering: .acquiringAndReleasing) { return closeDescriptors() }
        var one: UInt64 = 1
        _ = write(wakeUp, &one, 8)
    }

    private func closeDescriptors() {
        for token in waiters.withLock({ Array($0.keys) }) { finish(token, with: .cancelled) }
        close(wakeUp)
        close(epoll)
    }
}
