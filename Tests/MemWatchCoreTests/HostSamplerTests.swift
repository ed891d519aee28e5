import Foundation
import Glibc
import Testing

@testable import MemWatchCore

@Suite struct HostSamplerTests {
    private static let fixture = Fixtures.url("proc/node-cluster").path
    private static let sampler = HostSampler(
        proc: ProcReader(root: fixture + "/proc"),
        cgroups: CgroupMemoryReader(procRoot: fixture + "/proc", cgroupRoot: fixture + "/sys/fs/cgroup"))

    @Test func samplesTheWatchedProcessesOfAFixtureHost() {
        let round = Self.sampler.sample([16099, 16090, 16098])
        #expect(round.map(\.pid) == [16090, 16098, 16099])
        #expect(round.allSatisfy { $0.catchesSnapshotSignal && $0.cgroup?.limit == 512 << 20 })
        #expect(round[0].rss == 42424 * 1024)
        #expect(round.allSatisfy { $0.memoryAvailable == round[0].memoryAvailable && $0.memoryAvailable != nil })
    }

    @Test func aProcessGoneBeforeItsTurnIsLeftOut() {
        #expect(Self.sampler.sample([4_000_000, 16090]).map(\.pid) == [16090])
        #expect(Self.sampler.sample([]) == [])
    }

    @Test func samplesALiveProcess() {
        let round = HostSampler().sample([getpid()])
        #expect(round.first?.pid == getpid())
        #expect((round.first?.rss ?? 0) > 0)
    }
}
