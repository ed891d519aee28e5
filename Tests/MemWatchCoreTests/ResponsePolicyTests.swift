import Foundation
import Glibc
import Testing
@testable import MemWatchCore

@Suite struct ResponsePolicyTests {
    private let policy = ResponsePolicy(maxSnapshotsPerProcess: 3, cooldown: 600, snapshotSignal: SIGUSR2)
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let main = IsolateID(pid: 7, isolate: 0x100)
    private let worker = IsolateID(pid: 7, isolate: 0x200)

    private func leak(_ id: IsolateID, heap: Double = 80) -> WatchAlert {
        .leak(LeakFinding(detector: "trend", id: id, atMs: 30_000, reason: "heap floor grew", heapUsed: mb(heap)))
    }

    private func facts(requests: [(time: Date, heapUsed: Int64)] = []) -> ResponsePolicy.ProcessFacts {
        ResponsePolicy.ProcessFacts(pid: 7, mainIsolate: 0x100, rss: mb(200), snapshotRequests: requests)
    }

    private func fullGC(_ id: IsolateID, heap: Double) -> GCEvent {
        GCEvent(id: id, timeMs: 60_000, kind: .markCompact, usedBefore: mb(heap + 10), usedAfter: mb(heap))
    }

    @Test func aLeakAsksForASnapshotThatAnnouncesTheLeak() throws {
        let actions = policy.respond(to: leak(main), of: facts(), now: now)
        guard case .snapshot(let order) = try #require(actions.first), actions.count == 1 else {
            Issue.record("expected one snapshot, got \(actions)")
            return
        }
        #expect(order.reason == .leak && order.reason.urgency == .routine)
        #expect(order.isolate == main && order.heapUsed == mb(80) && order.workerNote == nil)
        #expect(order.announcing?.type == .leak && order.announcing?.rss == mb(200) && order.announcing?.time == now)
    }

    @Test func aWorkerThreadsLeakSaysTheSignalSnapshotMissesItsHeap() throws {
        let actions = policy.respond(to: leak(worker), of: facts(), now: now)
        guard case .snapshot(let order) = try #require(actions.first) else { Issue.record("\(actions)"); return }
        let note = try #require(order.workerNote)
        #expect(note.contains("worker thread") && note.contains("SIGUSR2"))
        #expect(order.announcing?.details["note"] == .string(note))
    }

    @Test func aFindingForAProcessNoLongerHeldIsOnlyRecorded() {
        let actions = policy.respond(to: leak(main), of: nil, now: now)
        guard case .record(let event) = actions.first, actions.count == 1 else { Issue.record("\(actions)"); return }
        #expect(event.type == .leak && event.pid == 7)
    }

    @Test func aHeapNearItsLimitIsSnapshottedAtOnce() throws {
        let breach = HeapLimitBreach(id: main, atMs: 5000, heapUsed: mb(900), heapLimit: mb(1000), reason: "90% of limit")
        let actions = policy.respond(to: .heapLimit(breach), of: facts(), now: now)
        guard case .snapshot(let order) = try #require(actions.first) else { Issue.record("\(actions)"); return }
        #expect(order.reason == .heapLimit && order.reason.urgency == .immediate)
        #expect(order.announcing?.detector == "heap-limit" && order.announcing?.details["heap_limit"] == .int(mb(1000)))
    }

    @Test func aFollowUpWaitsForGrowthTheCooldownAndRoom() {
        let lastSnapshot = [(time: now.addingTimeInterval(-700), heapUsed: mb(100))]
        // Grown by a fifth, cooldown passed, leaking: another snapshot.
        let due = policy.followUp(after: fullGC(main, heap: 121), leaking: true, of: facts(requests: lastSnapshot), now: now)
        guard case .snapshot(let order) = due.first, due.count == 1 else { Issue.record("\(due)"); return }
        #expect(order.reason == .leakGrowth && order.heapUsed == mb(121) && order.announcing == nil)

        #expect(policy.followUp(after: fullGC(main, heap: 110), leaking: true, of: facts(requests: lastSnapshot), now: now).isEmpty,
                "grown by less than a fifth")
        #expect(policy.followUp(after: fullGC(main, heap: 121), leaking: false, of: facts(requests: lastSnapshot), now: now).isEmpty,
                "no leak latched")
        let recent = [(time: now.addingTimeInterval(-60), heapUsed: mb(100))]
        #expect(policy.followUp(after: fullGC(main, heap: 150), leaking: true, of: facts(requests: recent), now: now).isEmpty,
                "within the cooldown")
        let full = Array(repeating: (time: now.addingTimeInterval(-700), heapUsed: mb(100)), count: 3)
        #expect(policy.followUp(after: fullGC(main, heap: 150), leaking: true, of: facts(requests: full), now: now).isEmpty,
                "as many snapshots as allowed")
        #expect(policy.followUp(after: fullGC(main, heap: 150), leaking: true, of: facts(), now: now).isEmpty,
                "no first snapshot to follow")
        let scavenge = GCEvent(id: main, timeMs: 60_000, kind: .scavenge, usedBefore: mb(160), usedAfter: mb(150))
        #expect(policy.followUp(after: scavenge, leaking: true, of: facts(requests: lastSnapshot), now: now).isEmpty,
                "only a full GC measures the live heap")
    }
}
