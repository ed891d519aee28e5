import Foundation
import Glibc
import Testing

@testable import MemWatchCore

@Suite struct ProcSamplerTests {
    @Test func samplesAFixtureTree() throws {
        let root = Fixtures.url("proc/node-cluster").path
        let sampler = ProcSampler(
            proc: ProcReader(root: root + "/proc"),
            cgroups: CgroupMemoryReader(procRoot: root + "/proc", cgroupRoot: root + "/sys/fs/cgroup"))
        let round = sampler.sample(treeOf: 16090)
        #expect(round.map(\.pid) == [16090, 16098, 16099])
        #expect(round.allSatisfy { $0.catchesSnapshotSignal && $0.cgroup?.limit == 512 << 20 })
        #expect(round[0].rss == 42424 * 1024)
        #expect(sampler.sample(treeOf: 4_000_000) == [])
    }

    @Test func streamEndsWhenTheProcessIsGone() async throws {
        let sampler = ProcSampler(interval: .milliseconds(20))
        var rounds = 0
        for await round in sampler.samples(treeOf: getpid()) {
            #expect(round.first?.pid == getpid())
            #expect((round.first?.rss ?? 0) > 0)
            rounds += 1
            if rounds == 3 { break }
        }
        #expect(rounds == 3)
        var goneRounds = 0
        for await _ in sampler.samples(treeOf: 4_000_000) { goneRounds += 1 }
        #expect(goneRounds == 0)
    }
}
