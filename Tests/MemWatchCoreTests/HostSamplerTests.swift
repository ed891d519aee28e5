import Foundation
import Glibc
import Testing
import TestSupport

@testable import MemWatchCore

@Suite struct HostSamplerTests {
    private static let fixture = Fixtures.url("proc/node-cluster").path
    private static let sampler = HostSampler(
        proc: ProcReader(root: fixture + "/proc"),
        cgroups: CgroupMemoryReader(procRoot: fixture + "/proc", cgroupRoot: fixture + "/sys/fs/cgroup"))

    @Test func samplesTheWatchedProcessesOfAFixtureHost() {
        let round = Self.sampler.sample([16099, 16090, 16098])
        #expect(round.map(\.pid) == [16090, 16098, 16099])
        #expect(round.allSatisfy { $0.cgroup?.limit == 512 << 20 })
        #expect(round[0].rss == 42424 * 1024 && round[0].rssAnon == 7156 * 1024 && round[0].rssFile == 35268 * 1024)
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

    /// statm's resident and shared pages are status's VmRSS and RssFile + RssShmem.
    @Test func statmGivesWhatStatusSays() throws {
        let stand = try StandInProcess()
        defer { stand.end() }
        for pid in [stand.pid, 1] {
            // A process just started still maps pages: compare once status
            // reads the same before and after the sample.
            var compared = false
            for _ in 0..<10_000 where !compared {
                let before = try #require(ProcReader().status(of: pid).value)
                let sample = try #require(HostSampler().sample([pid]).first)
                let after = try #require(ProcReader().status(of: pid).value)
                guard before.rss == after.rss, before.rssAnon == after.rssAnon, before.rssFile == after.rssFile else {
                    usleep(1000)
                    continue
                }
                #expect(sample.rss == before.rss, "pid \(pid)")
                #expect(sample.rssAnon == before.rssAnon && sample.rssFile == before.rssFile + before.rssShmem, "pid \(pid)")
                compared = true
            }
            #expect(compared, "pid \(pid)'s memory never held still")
        }
        #expect(StatmPages(parsing: Array("290000 10606 8817 14912 0 21500 0\n".utf8)) .map { [$0.resident, $0.shared] } == [10606, 8817])
        #expect(StatmPages(parsing: Array("0 0 0 0 0 0 0\n".utf8))?.resident == 0, "a zombie's")
        #expect(StatmPages(parsing: Array("12 34".utf8)) == nil, "cut short")
        #expect(StatmPages(parsing: Array("1 x 3\n".utf8)) == nil)
        #expect(StatmPages(parsing: Array("1 99999999999999999999 3\n".utf8)) == nil, "out of range")
    }

    @Test func aMembershipIsReadOnceAndAgainWhenDue() throws {
        let directory = try TestRunDirectory.makeDirectory()
        defer { TestRunDirectory.remove(directory) }
        // A copy of the fixture whose process moves to another cgroup.
        let root = directory + "/host"
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: root)
        let sampler = HostSampler(
            proc: ProcReader(root: root + "/proc"),
            cgroups: CgroupMemoryReader(procRoot: root + "/proc", cgroupRoot: root + "/sys/fs/cgroup"))
        var memberships = HostSampler.Memberships()
        #expect(sampler.sample([16090], memberships: &memberships).first?.cgroup?.limit == 512 << 20)
        try "".write(toFile: root + "/proc/16090/cgroup", atomically: false, encoding: .utf8)
        for _ in 1..<HostSampler.Memberships.refreshRounds {
            #expect(sampler.sample([16090], memberships: &memberships).first?.cgroup?.limit == 512 << 20, "taken as read")
        }
        #expect(sampler.sample([16090], memberships: &memberships).first?.cgroup == nil, "read anew when due")
    }
}
