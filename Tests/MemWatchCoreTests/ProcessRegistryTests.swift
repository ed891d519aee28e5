import Foundation
import Testing
@testable import MemWatchCore

@Suite struct ProcessRegistryTests {
    private static func process(_ handle: ProcessHandle, main: UInt64 = 1) -> WatchedProcess {
        WatchedProcess(handle: handle, mainIsolate: main)
    }

    @Test func aProcessIsHeldOnceAndItsIsolatesAreCounted() throws {
        let stand = try StandInProcess()
        defer { stand.end() }
        var registry = ProcessRegistry()
        var opened = 0
        let handle = try stand.handle(as: 500)
        let open = { (_: Int32) -> WatchedProcess? in
            opened += 1
            return Self.process(handle)
        }
        #expect(registry.admit(IsolateID(pid: 500, isolate: 1), open: open) == .watched(newProcess: true, newIsolate: true, replaced: []))
        #expect(registry.admit(IsolateID(pid: 500, isolate: 1), open: open) == .watched(newProcess: false, newIsolate: false, replaced: []))
        #expect(registry.admit(IsolateID(pid: 500, isolate: 2), open: open) == .watched(newProcess: false, newIsolate: true, replaced: []))
        #expect(opened == 1, "a live process held is not opened again")
        #expect(registry.isWatchedLive(IsolateID(pid: 500, isolate: 1)) && registry.isWatchedLive(IsolateID(pid: 500, isolate: 2)))
        #expect(!registry.isWatchedLive(IsolateID(pid: 500, isolate: 3)) && !registry.isWatchedLive(IsolateID(pid: 501, isolate: 1)))
        #expect(registry[500]?.isolates == [1, 2])
        #expect(registry.admit(IsolateID(pid: 501, isolate: 1)) { _ in nil } == .refused, "out of scope")
        #expect(registry.pids.count == 1)
    }

    @Test func madeUpIsolatesStopAtTheBoundAndAreToldOfOnce() throws {
        let stand = try StandInProcess()
        defer { stand.end() }
        var registry = ProcessRegistry()
        let handle = try stand.handle(as: 500)
        for isolate in 0..<UInt64(ProcessRegistry.maxIsolatesPerProcess) {
            _ = registry.admit(IsolateID(pid: 500, isolate: isolate)) { _ in Self.process(handle) }
        }
        let past = IsolateID(pid: 500, isolate: 99_999)
        #expect(registry.admit(past) { _ in nil } == .tooManyIsolates(firstTime: true))
        #expect(!registry.isWatchedLive(past) && registry.isWatchedLive(IsolateID(pid: 500, isolate: 0)))
        #expect(registry.admit(IsolateID(pid: 500, isolate: 99_998)) { _ in nil } == .tooManyIsolates(firstTime: false))
        #expect(registry[500]?.isolates.count == ProcessRegistry.maxIsolatesPerProcess)
    }

    @Test func anExitedProcessIsDroppedWithItsIsolates() throws {
        let stand = try StandInProcess()
        var registry = ProcessRegistry()
        let handle = try stand.handle(as: 500)
        _ = registry.admit(IsolateID(pid: 500, isolate: 1)) { _ in Self.process(handle) }
        _ = registry.admit(IsolateID(pid: 500, isolate: 2)) { _ in nil }
        stand.end()
        registry.markExited(handle)
        #expect(!registry.isWatchedLive(IsolateID(pid: 500, isolate: 1)), "an exited process's lines take the long way")
        // Its last lines still count while it lingers.
        #expect(registry.admit(IsolateID(pid: 500, isolate: 1)) { _ in nil } == .watched(newProcess: false, newIsolate: false, replaced: []))
        #expect(registry.remove(handle) == [IsolateID(pid: 500, isolate: 1), IsolateID(pid: 500, isolate: 2)])
        #expect(registry.pids.isEmpty)
        #expect(registry.remove(handle) == nil)
    }

    @Test func aReusedPidIsANewProcessWithFreshIsolates() throws {
        let first = try StandInProcess()
        let second = try StandInProcess()
        defer { second.end() }
        var registry = ProcessRegistry()
        let old = try first.handle(as: 500)
        _ = registry.admit(IsolateID(pid: 500, isolate: 1)) { _ in Self.process(old) }
        first.end()
        registry.markExited(old)
        // A new process under pid 500, opened through the scope.
        let new = try second.handle(as: 500)
        let admission = registry.admit(IsolateID(pid: 500, isolate: 7)) { _ in Self.process(new, main: 7) }
        #expect(admission == .watched(newProcess: true, newIsolate: true, replaced: [IsolateID(pid: 500, isolate: 1)]))
        #expect(registry[500]?.handle === new && registry[500]?.isolates == [7] && registry[500]?.mainIsolate == 7)
        #expect(registry.isWatchedLive(IsolateID(pid: 500, isolate: 7)) && !registry.isWatchedLive(IsolateID(pid: 500, isolate: 1)))
        // The old process's late exit news touches the new one not at all.
        registry.markExited(old)
        #expect(registry.remove(old) == nil)
        #expect(registry[500]?.hasExited == false)
        #expect(registry.isWatchedLive(IsolateID(pid: 500, isolate: 7)))
        registry.markExited(new)
        #expect(!registry.isWatchedLive(IsolateID(pid: 500, isolate: 7)))
        _ = registry.remove(new)
        #expect(!registry.isWatchedLive(IsolateID(pid: 500, isolate: 7)) && registry.pids.isEmpty)
    }
}
