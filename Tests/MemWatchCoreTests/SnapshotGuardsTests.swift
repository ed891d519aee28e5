import Foundation
import Testing
@testable import MemWatchCore

@Suite struct SnapshotGuardsTests {
    static let MB: Int64 = 1 << 20
    static let GB: Int64 = 1 << 30
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A process that passes every guard: catches the snapshot signal, 100 MB heap, plenty of room.
    static func facts(
        signal: Int32 = SIGUSR2, catches: Bool = true, heap: Int64 = 100 * MB, memAvailable: Int64 = 64 * GB,
        cgroup: CgroupMemory? = nil, diskFree: Int64 = 50 * GB, managed: [ManagedSnapshot] = [],
        last: Date? = nil, count: Int = 0
    ) -> SnapshotFacts {
        SnapshotFacts(
            pid: 4242, snapshotSignal: signal, catchesSnapshotSignal: catches, memAvailable: memAvailable, cgroup: cgroup,
            heapUsed: heap, diskFree: diskFree, snapshotDirectory: "/var/lib/memwatchd/snapshots",
            managedSnapshots: managed, lastSnapshotOfProcess: last, snapshotsOfProcess: count, now: now)
    }

    static func snapshot(_ name: String, _ bytes: Int64, hoursAgo: Double) -> ManagedSnapshot {
        ManagedSnapshot(path: "/s/\(name)", bytes: bytes, time: now.addingTimeInterval(-hoursAgo * 3600))
    }

    @Test func takesWhenEveryGuardPasses() {
        #expect(SnapshotGuards.evaluate(Self.facts(), policy: .init()) == .take(deletingFirst: []))
    }

    @Test func sigCgtBitElevenMeansSIGUSR2IsCaught() {
        // Real masks: node --heapsnapshot-signal=SIGUSR2 vs plain node (from /proc/PID/status).
        #expect(SignalSet(mask: 0x0000_0001_0000_4e02).contains(SIGUSR2))
        #expect(!SignalSet(mask: 0x0000_0000_0001_4000).contains(SIGUSR2))
        #expect(!SignalSet(mask: 1 << 12 | 1 << 10).contains(SIGUSR2))  // neighbours (SIGPIPE, SIGUSR1) don't count
    }

    @Test func aProcessThatDoesNotCatchSIGUSR2IsNeverSignalled() {
        // Even with everything else failing too, the signal guard speaks first.
        let decision = SnapshotGuards.evaluate(
            Self.facts(catches: false, memAvailable: 0, diskFree: 0), policy: .init())
        #expect(decision == .skip(.doesNotCatchSnapshotSignal(pid: 4242, signal: SIGUSR2)))
        if case let .skip(reason) = decision {
            #expect(reason.code == "sigusr2-not-caught")
            #expect(reason.description.contains("--heapsnapshot-signal=SIGUSR2"))
        }
    }

    @Test func theSignalGuardNamesTheSignalNodeWasToldToUse() {
        let decision = SnapshotGuards.evaluate(Self.facts(signal: SIGUSR1, catches: false), policy: .init())
        #expect(decision == .skip(.doesNotCatchSnapshotSignal(pid: 4242, signal: SIGUSR1)))
        guard case let .skip(reason) = decision else { return }
        // The code scripts match on stays; the sentence names SIGUSR1, its SigCgt bit and the flag.
        #expect(reason.code == "sigusr2-not-caught")
        #expect(reason.description.hasPrefix("pid 4242 does not catch SIGUSR1 (SigCgt bit 10 is clear), and SIGUSR1 would kill it"))
        #expect(reason.description.contains("--heapsnapshot-signal=SIGUSR1"))
        #expect(!reason.description.contains("SIGUSR2"))
        #expect(!reason.description.contains("heapdump"))  // the module only listens for SIGUSR2
        #expect(SnapshotGuards.evaluate(Self.facts(signal: SIGUSR1), policy: .init()) == .take(deletingFirst: []))
    }

    @Test func signalNamesBothWays() {
        #expect(SignalName.number("SIGUSR1") == SIGUSR1)
        #expect(SignalName.number("USR2") == SIGUSR2)
        #expect(SignalName.number("12") == 12)
        #expect(SignalName.number("SIGBOGUS") == nil)
        #expect(SignalName.of(SIGUSR1) == "SIGUSR1")
        #expect(SignalName.of(40) == "signal 40")
    }

    /// A v1 cgroup at `limit` using `usage`, as CgroupMemoryReader reads it.
    static func cgroup(limit: Int64?, usage: Int64, version: CgroupMemory.Version = .v1) -> CgroupMemory {
        CgroupMemory(
            version: version, path: "/system.slice/app.service", usage: usage, limit: limit,
            headroom: limit.map { $0 - usage })
    }

    /// Peak extra RSS of the costliest measured shape (short strings and boxed
    /// numbers) per Node version, from Benchmarks/snapshot-cost: (heap, extra).
    static let measuredWorstCases: [(heap: Int64, extra: Int64)] = [
        (26 * MB, 350 * MB), (96 * MB, 1215 * MB), (244 * MB, 2902 * MB),  // Node 20
        (28 * MB, 332 * MB), (96 * MB, 1141 * MB), (245 * MB, 2705 * MB),  // Node 22
        (25 * MB, 222 * MB), (85 * MB, 738 * MB), (241 * MB, 2407 * MB),  // Node 24
    ]

    @Test func theModelCoversEveryMeasuredSnapshot() {
        for (heap, extra) in Self.measuredWorstCases {
            #expect(SnapshotMemoryModel.measured.extraBytes(heapUsed: heap) >= extra, "heap \(heap >> 20) MB")
        }
    }

    @Test func theFactorMultipliesTheModel() {
        let model = SnapshotMemoryModel(extraPerHeapByte: 10, baseBytes: 8 * Self.MB)
        #expect(model.extraBytes(heapUsed: 100 * Self.MB) == 1008 * Self.MB)
        let policy = SnapshotPolicy(memoryModel: model, memoryHeadroomFactor: 1.5)
        #expect(policy.memoryNeeded(heapUsed: 100 * Self.MB) == 1512 * Self.MB)
    }

    @Test func memAvailableMustHoldTheModelledCostTimesTheFactor() {
        let heap = 200 * Self.MB
        let needed = SnapshotPolicy().memoryNeeded(heapUsed: heap)
        #expect(needed == Int64((Double(14 * heap + 32 * Self.MB) * 1.25).rounded(.up)))
        let justEnough = Self.facts(heap: heap, memAvailable: needed)
        #expect(SnapshotGuards.evaluate(justEnough, policy: .init()) == .take(deletingFirst: []))
        let short = Self.facts(heap: heap, memAvailable: needed - 1)
        guard case let .skip(reason) = SnapshotGuards.evaluate(short, policy: .init()) else {
            Issue.record("expected a skip"); return
        }
        #expect(reason == .notEnoughMemory(
            needed: needed, heapUsed: heap, model: .measured, factor: 1.25, room: .memAvailable(needed - 1)))
        #expect(reason.code == "memory")
        #expect(reason.description.contains("a 200 MB heap needs about 3.5 GB (1.25 x the measured worst case of 14 x the heap + 32.0 MB), and MemAvailable is 3.5 GB; free memory"))
        // A lower factor lets the same facts through.
        #expect(SnapshotGuards.evaluate(short, policy: .init(memoryHeadroomFactor: 1.2)) == .take(deletingFirst: []))
    }

    /// The issue's case: a 92 MB heap in a 900 MB cgroup passed the old 2x guard
    /// (184 MB of 720 MB left) and the kernel killed node 4.6 s into the snapshot.
    @Test func aCgroupWithRoomForTwiceTheHeapButNotTheSnapshotIsNamedInTheSkip() {
        let cgroup = Self.cgroup(limit: 900 * Self.MB, usage: 180 * Self.MB)
        let facts = Self.facts(heap: 92 * Self.MB, cgroup: cgroup)
        guard case let .skip(reason) = SnapshotGuards.evaluate(facts, policy: .init()) else {
            Issue.record("expected a skip"); return
        }
        #expect(reason == .notEnoughMemory(
            needed: SnapshotPolicy().memoryNeeded(heapUsed: 92 * Self.MB), heapUsed: 92 * Self.MB,
            model: .measured, factor: 1.25, room: .cgroup(cgroup)))
        #expect(reason.description.contains(
            "the memory cgroup /system.slice/app.service (v1) has 720 MB left of its 900 MB limit; raise the cgroup's memory limit"))
        let v2 = Self.cgroup(limit: 900 * Self.MB, usage: 180 * Self.MB, version: .v2)
        guard case let .skip(v2Reason) = SnapshotGuards.evaluate(Self.facts(heap: 92 * Self.MB, cgroup: v2), policy: .init())
        else { Issue.record("expected a skip"); return }
        #expect(v2Reason.description.contains("the memory cgroup /system.slice/app.service (v2) has 720 MB left"))
    }

    @Test func theTighterOfMemAvailableAndTheCgroupIsTheOneReported() {
        let cgroup = Self.cgroup(limit: 8 * Self.GB, usage: 1 * Self.GB)
        let facts = Self.facts(heap: 1 * Self.GB, memAvailable: 4 * Self.GB, cgroup: cgroup)
        guard case let .skip(reason) = SnapshotGuards.evaluate(facts, policy: .init()),
              case let .notEnoughMemory(_, _, _, _, room) = reason
        else { Issue.record("expected a memory skip"); return }
        #expect(room == .memAvailable(4 * Self.GB))
        // A cgroup without a limit leaves MemAvailable to decide.
        let unlimited = Self.facts(cgroup: Self.cgroup(limit: nil, usage: 30 * Self.GB))
        #expect(SnapshotGuards.evaluate(unlimited, policy: .init()) == .take(deletingFirst: []))
        // A cgroup with room for the snapshot passes.
        let roomy = Self.facts(cgroup: Self.cgroup(limit: 4 * Self.GB, usage: 1 * Self.GB))
        #expect(SnapshotGuards.evaluate(roomy, policy: .init()) == .take(deletingFirst: []))
    }

    @Test func diskMustHoldThreeHeaps() {
        let facts = Self.facts(heap: 200 * Self.MB, diskFree: 599 * Self.MB)
        #expect(SnapshotGuards.evaluate(facts, policy: .init())
            == .skip(.notEnoughDisk(needed: 600 * Self.MB, free: 599 * Self.MB, directory: "/var/lib/memwatchd/snapshots")))
        #expect(SnapshotGuards.evaluate(Self.facts(heap: 200 * Self.MB, diskFree: 600 * Self.MB), policy: .init())
            == .take(deletingFirst: []))
    }

    @Test func overBudgetDeletesOldestManagedSnapshotsFirst() {
        let oldest = Self.snapshot("a", 400 * Self.MB, hoursAgo: 30)
        let middle = Self.snapshot("b", 400 * Self.MB, hoursAgo: 20)
        let newest = Self.snapshot("c", 400 * Self.MB, hoursAgo: 1)
        let policy = SnapshotPolicy(maxSnapshotBytes: 900 * Self.MB)
        // 1200 MB managed + 300 MB expected, budget 900 MB: two must go, the oldest two.
        let decision = SnapshotGuards.evaluate(
            Self.facts(managed: [newest, oldest, middle]), policy: policy)
        #expect(decision == .take(deletingFirst: [oldest, middle]))
    }

    @Test func underBudgetDeletesNothing() {
        let managed = [Self.snapshot("a", 100 * Self.MB, hoursAgo: 3)]
        #expect(SnapshotGuards.evaluate(Self.facts(managed: managed), policy: .init())
            == .take(deletingFirst: []))
    }

    @Test func aSnapshotLargerThanTheWholeBudgetIsSkippedAndNothingDeleted() {
        let managed = [Self.snapshot("a", 100 * Self.MB, hoursAgo: 3)]
        let decision = SnapshotGuards.evaluate(
            Self.facts(heap: 1 * Self.GB, managed: managed), policy: .init(maxSnapshotBytes: 1 * Self.GB))
        #expect(decision == .skip(.overBudget(
            needed: 3 * Self.GB, budget: 1 * Self.GB, managedBytes: 100 * Self.MB, managedCount: 1)))
    }

    @Test func bytesFreedForTheBudgetCountAsFreeDisk() {
        let old = Self.snapshot("a", 500 * Self.MB, hoursAgo: 5)
        let facts = Self.facts(heap: 100 * Self.MB, diskFree: 10 * Self.MB, managed: [old])
        #expect(SnapshotGuards.evaluate(facts, policy: .init(maxSnapshotBytes: 600 * Self.MB))
            == .take(deletingFirst: [old]))
    }

    @Test func cooldownPerProcess() {
        let recent = Self.facts(last: Self.now.addingTimeInterval(-120), count: 1)
        let decision = SnapshotGuards.evaluate(recent, policy: .init())
        guard case let .skip(reason) = decision else { Issue.record("expected a skip"); return }
        #expect(reason.code == "cooldown")
        #expect(reason.description.contains("2m 00s ago"))
        #expect(reason.description.contains("allowed in 8m 00s"))
        let longAgo = Self.facts(last: Self.now.addingTimeInterval(-601), count: 1)
        #expect(SnapshotGuards.evaluate(longAgo, policy: .init()) == .take(deletingFirst: []))
    }

    @Test func atMostNSnapshotsPerProcess() {
        let facts = Self.facts(last: Self.now.addingTimeInterval(-86400), count: 3)
        #expect(SnapshotGuards.evaluate(facts, policy: .init())
            == .skip(.perProcessLimitReached(pid: 4242, count: 3, limit: 3)))
        #expect(SnapshotGuards.evaluate(facts, policy: .init(maxSnapshotsPerProcess: 4))
            == .take(deletingFirst: []))
    }

    @Test func timeoutScalesWithTheHeap() {
        let policy = SnapshotPolicy()
        #expect(policy.timeout(heapUsed: 0) == 30)
        #expect(policy.timeout(heapUsed: 400 * Self.MB) == 130)
    }
}
