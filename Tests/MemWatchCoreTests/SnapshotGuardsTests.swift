import Foundation
import Testing
@testable import MemWatchCore

@Suite struct SnapshotGuardsTests {
    static let MB: Int64 = 1 << 20
    static let GB: Int64 = 1 << 30
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A process that passes every guard: catches SIGUSR2, 100 MB heap, plenty of room.
    static func facts(
        catches: Bool = true, heap: Int64 = 100 * MB, memAvailable: Int64 = 8 * GB,
        cgroupRemaining: Int64? = nil, diskFree: Int64 = 50 * GB, managed: [ManagedSnapshot] = [],
        last: Date? = nil, count: Int = 0
    ) -> SnapshotFacts {
        SnapshotFacts(
            pid: 4242, catchesSIGUSR2: catches, memAvailable: memAvailable, cgroupRemaining: cgroupRemaining,
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
        #expect(decision == .skip(.doesNotCatchSIGUSR2(pid: 4242)))
        if case let .skip(reason) = decision {
            #expect(reason.description.contains("--heapsnapshot-signal=SIGUSR2"))
        }
    }

    @Test func memoryHeadroomUsesTheFactorOnMemAvailable() {
        let heap = 1 * Self.GB
        let justEnough = Self.facts(heap: heap, memAvailable: 2 * heap)
        #expect(SnapshotGuards.evaluate(justEnough, policy: .init()) == .take(deletingFirst: []))
        let short = Self.facts(heap: heap, memAvailable: 2 * heap - 1)
        guard case let .skip(reason) = SnapshotGuards.evaluate(short, policy: .init()) else {
            Issue.record("expected a skip"); return
        }
        #expect(reason.code == "memory")
        #expect(reason.description.contains("MemAvailable is 2.0 GB"))
        // A lower factor lets the same facts through.
        #expect(SnapshotGuards.evaluate(short, policy: .init(memoryHeadroomFactor: 1.5)) == .take(deletingFirst: []))
    }

    @Test func cgroupRoomIsCheckedAsWellAsMemAvailable() {
        let facts = Self.facts(heap: 300 * Self.MB, cgroupRemaining: 500 * Self.MB)
        let decision = SnapshotGuards.evaluate(facts, policy: .init())
        guard case let .skip(reason) = decision else { Issue.record("expected a skip"); return }
        #expect(reason == .notEnoughMemory(
            needed: 600 * Self.MB, memAvailable: 8 * Self.GB, cgroupRemaining: 500 * Self.MB, factor: 2))
        #expect(reason.description.contains("cgroup has 500 MB left"))
    }

    @Test func diskMustHoldAboutOneAndAHalfHeaps() {
        let facts = Self.facts(heap: 200 * Self.MB, diskFree: 299 * Self.MB)
        #expect(SnapshotGuards.evaluate(facts, policy: .init())
            == .skip(.notEnoughDisk(needed: 300 * Self.MB, free: 299 * Self.MB, directory: "/var/lib/memwatchd/snapshots")))
        #expect(SnapshotGuards.evaluate(Self.facts(heap: 200 * Self.MB, diskFree: 300 * Self.MB), policy: .init())
            == .take(deletingFirst: []))
    }

    @Test func overBudgetDeletesOldestManagedSnapshotsFirst() {
        let oldest = Self.snapshot("a", 400 * Self.MB, hoursAgo: 30)
        let middle = Self.snapshot("b", 400 * Self.MB, hoursAgo: 20)
        let newest = Self.snapshot("c", 400 * Self.MB, hoursAgo: 1)
        let policy = SnapshotPolicy(maxSnapshotBytes: 900 * Self.MB)
        // 1200 MB managed + 150 MB expected, budget 900 MB: two must go, the oldest two.
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
            needed: 1536 * Self.MB, budget: 1 * Self.GB, managedBytes: 100 * Self.MB, managedCount: 1)))
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
