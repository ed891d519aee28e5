import CSystemd
import Foundation
import Glibc
import Synchronization
import Testing
@testable import MemWatchCore

@Suite struct EventLoopTests {
    private static func pipeEnds() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        try SystemCall.value { memwatch_pipe_cloexec(&ends) }
        return (ends[0], ends[1])
    }

    @Test func aWaitEndsWhenTheDescriptorTurnsReadable() async throws {
        let loop = EventLoop()
        defer { loop.shutdown() }
        let ends = try Self.pipeEnds()
        defer { close(ends.read); close(ends.write) }
        async let wake = loop.readable(ends.read)
        var byte: UInt8 = 1
        #expect(write(ends.write, &byte, 1) == 1)
        #expect(await wake == .ready)
    }

    @Test func waitersOnOneDescriptorAllWakeAndTheDescriptorStaysOpen() async throws {
        let loop = EventLoop()
        defer { loop.shutdown() }
        let ends = try Self.pipeEnds()
        defer { close(ends.read); close(ends.write) }
        let wakes = await withTaskGroup(of: EventLoop.Wake.self) { group in
            for _ in 0..<5 { group.addTask { await loop.readable(ends.read) } }
            var byte: UInt8 = 1
            _ = write(ends.write, &byte, 1)
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(wakes == Array(repeating: .ready, count: 5))
        // The loop closed its duplicates only: the caller's descriptor reads on.
        var byte: UInt8 = 0
        #expect(read(ends.read, &byte, 1) == 1)
    }

    @Test func aQuietDescriptorTimesOutOrIsCancelled() async throws {
        let loop = EventLoop()
        defer { loop.shutdown() }
        let ends = try Self.pipeEnds()
        defer { close(ends.read); close(ends.write) }
        #expect(await loop.readable(ends.read, timeout: .milliseconds(20)) == .timedOut)
        let waiting = Task { await loop.readable(ends.read) }
        waiting.cancel()
        #expect(await waiting.value == .cancelled)
    }

    @Test func aPidfdTurnsReadableWhenItsProcessExits() async throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["30"]
        try child.run()
        let handle = try ProcessHandle(pid: child.processIdentifier)
        let loop = EventLoop()
        defer { loop.shutdown() }
        async let exited = loop.readable(handle.descriptor)
        kill(child.processIdentifier, SIGKILL)
        #expect(await exited == .ready)
        child.waitUntilExit()
    }

    @Test func aClosedDescriptorFailsAtOnce() async {
        let loop = EventLoop()
        defer { loop.shutdown() }
        #expect(await loop.readable(987_654) == .failed(.badFileDescriptor))
    }
}

@Suite struct BackgroundWorkerTests {
    @Test func jobsRunOneAtATimeOnTheWorkersOwnThread() async throws {
        let worker = BackgroundWorker(name: "memwatchd.test")
        let caller = pthread_self()
        // Given from many tasks at once, each runs on the worker, one at a time.
        final class Running: Sendable { let count = Mutex(0) }
        let running = Running()
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<20 {
                group.addTask {
                    await worker.run { () -> (Int, Bool) in
                        let alone = running.count.withLock { $0 += 1; return $0 == 1 }
                        usleep(1000)
                        running.count.withLock { $0 -= 1 }
                        return (index, alone && pthread_equal(pthread_self(), caller) == 0)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.map(\.0).sorted() == Array(0..<20))
        #expect(results.map(\.1) == Array(repeating: true, count: 20))
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await worker.run { () throws -> Int in throw Refused() } }
    }
}
