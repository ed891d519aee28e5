import Foundation
import Glibc
import Logging
import ServiceLifecycle
import Testing
import TestSupport
@testable import MemWatchCore

/// The engine with its real parts but a fake trace source, fixture /proc
/// pids stood in for by `sleep` processes, and the dry-run signaller.
@Suite struct WatchEngineTests {
    private static let fixture = Fixtures.url("proc/node-cluster").path
    /// A pid of the fixture tree: its status says SIGUSR2 is caught.
    private static let pid: Int32 = 16090

    private struct Setup {
        let engine: WatchEngine
        let store: EventStore
        let scope: FixtureScope
        let source: FakeTraceSource
        let directory: String
    }

    private static func setUp(linger: Duration = .seconds(5), now: @escaping @Sendable () -> Date = Date.init) throws -> Setup {
        let directory = try TestRunDirectory.makeDirectory()
        let store = try EventStore(path: directory + "/events.sqlite")
        let reporter = EventReporter(store: store, alerts: RecordingAlertSink())
        let taker = SnapshotTaker(snapshotDirectory: directory, reporter: reporter, signaller: DryRunSignaller())
        var options = WatchEngine.Options()
        options.exitLinger = linger
        let scope = FixtureScope()
        let source = FakeTraceSource()
        let engine = WatchEngine(
            options: options, scope: scope, sources: [source], reporter: reporter, snapshots: taker,
            proc: ProcReader(root: fixture + "/proc"),
            cgroups: CgroupMemoryReader(procRoot: fixture + "/proc", cgroupRoot: fixture + "/sys/fs/cgroup"),
            now: now)
        return Setup(engine: engine, store: store, scope: scope, source: source, directory: directory)
    }

    private static func leakingHeap(pid: Int32 = pid, isolate: UInt64 = 0xabc) -> [GCEvent] {
        var heap = SyntheticHeap(live: { 30 + 2 * $0 })
        heap.id = IsolateID(pid: pid, isolate: isolate)
        return heap.events(seconds: 90)
    }

    @Test func aLeakFromTheSourceIsRecordedAndAnsweredWithASnapshotRequest() async throws {
        let setup = try Self.setUp()
        defer { TestRunDirectory.remove(setup.directory) }
        let stand = try StandInProcess()
        defer { stand.end() }
        try setup.scope.hold(Self.pid, by: stand)
        let running = Task { await setup.engine.readSources(); await setup.engine.finish() }
        setup.source.send(Self.leakingHeap())
        setup.source.end()
        await running.value

        let events = try setup.store.events()
        let leak = try #require(events.first { $0.type == .leak }, "events: \(events)")
        #expect(leak.pid == Self.pid && leak.isolate == "0xabc")
        // The guards weigh the fixture's facts: its memory cgroup has 474 MB
        // of 512 MB left, too little for a 72 MB heap's snapshot.
        let skipped = try #require(events.first { $0.type == .snapshotSkipped }, "events: \(events)")
        #expect(skipped.details["skip"] == .string("memory") && skipped.details["trigger"] == .string("leak"),
                "\(skipped)")
        #expect(skipped.reason?.contains("memwatch-fixture (v1) has 474 MB left of its 512 MB limit") == true)
        #expect(events.firstIndex { $0.type == .leak }! < events.firstIndex { $0.type == .snapshotSkipped }!,
                "the leak is recorded right after the signal, before the snapshot's outcome")
        #expect(await setup.engine.isolates.map(\.id) == [IsolateID(pid: Self.pid, isolate: 0xabc)])
    }

    @Test func linesOfPidsOutsideTheScopeAreIgnored() async throws {
        let setup = try Self.setUp()
        defer { TestRunDirectory.remove(setup.directory) }
        let running = Task { await setup.engine.readSources(); await setup.engine.finish() }
        setup.source.send(Self.leakingHeap(pid: 4242))
        setup.source.end()
        await running.value
        #expect(try setup.store.events().isEmpty)
        #expect(await setup.engine.isolates.isEmpty)
        #expect(await setup.engine.watchedPIDs.isEmpty)
    }

    @Test func anExitedProcessIsDroppedAndItsPidWatchedAfreshWhenReused() async throws {
        let setup = try Self.setUp(linger: .milliseconds(1))
        defer { TestRunDirectory.remove(setup.directory) }
        let first = try StandInProcess()
        try setup.scope.hold(Self.pid, by: first)
        let running = Task { await setup.engine.readSources(); await setup.engine.finish() }
        let events = Self.leakingHeap()
        setup.source.send(Array(events.prefix(50)))
        #expect(await eventually { await setup.engine.watchedPIDs == [Self.pid] })
        #expect(await eventually { await setup.engine.isolates.first?.gcs == 50 })

        first.end()
        #expect(await eventually { await setup.engine.watchedPIDs.isEmpty }, "dropped once its pidfd said it exited")
        #expect(await setup.engine.isolates.isEmpty, "its isolates' detector state went with it")
        #expect(setup.scope.forgotten.withLock { $0 } == [Self.pid], "the scope let go of its pidfd")

        // The pid now names another process: watched from scratch.
        let second = try StandInProcess()
        defer { second.end() }
        try setup.scope.hold(Self.pid, by: second)
        setup.source.send(Array(events.prefix(10)))
        #expect(await eventually { await setup.engine.isolates.first?.gcs == 10 })
        setup.source.end()
        await running.value
    }

    @Test func theSourcesEndNoteIsRecorded() async throws {
        let directory = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(directory) }
        let store = try EventStore(path: directory + "/events.sqlite")
        let reporter = EventReporter(store: store, alerts: RecordingAlertSink())
        let source = FakeTraceSource(note: MemWatchEvent(time: Date(), type: .alert, reason: "the log was deleted"))
        let engine = WatchEngine(
            options: WatchEngine.Options(), scope: FixtureScope(), sources: [source], reporter: reporter,
            snapshots: SnapshotTaker(snapshotDirectory: directory, reporter: reporter, signaller: DryRunSignaller()))
        source.end()
        await engine.readSources()
        await engine.finish()
        #expect(try store.events().map(\.reason) == ["the log was deleted"])
    }

    @Test func inAServiceGroupTheEngineAndSamplerRunUntilTheGroupShutsDown() async throws {
        let setup = try Self.setUp()
        defer { TestRunDirectory.remove(setup.directory) }
        let stand = try StandInProcess()
        defer { stand.end() }
        try setup.scope.hold(Self.pid, by: stand)
        let sampling = SamplingService(
            sampler: HostSampler(
                proc: ProcReader(root: Self.fixture + "/proc"),
                cgroups: CgroupMemoryReader(procRoot: Self.fixture + "/proc", cgroupRoot: Self.fixture + "/sys/fs/cgroup")),
            interval: .milliseconds(10), engine: setup.engine)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: sampling), .init(service: setup.engine)],
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        let events = Self.leakingHeap()
        setup.source.send(Array(events.prefix(5)))
        #expect(await eventually { await setup.engine.latestSample(of: Self.pid)?.rss == Int64(42424 * 1024) })
        setup.source.send(Array(events.dropFirst(5)))
        // The source ran dry, and the engine waits for the group's shutdown.
        setup.source.end()
        #expect(await eventually { (try? setup.store.events().contains { $0.type == .snapshotSkipped }) == true })
        await group.triggerGracefulShutdown()
        try await running.value
        let leak = try #require(try setup.store.events().first { $0.type == .leak })
        #expect(leak.rss == Int64(42424 * 1024), "the sampler's fixture sample reached the leak's record")
    }
}
