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

    /// The sampler reads status and cgroup bytes itself (for speed): the same
    /// values as ProcStatus and CgroupMemoryReader read from the same files.
    @Test func readsStatusAndCgroupAsTheTextParsersDo() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Fixtures.url("proc").path)
            .map { Fixtures.url("proc").path + "/" + $0 }
        let statuses = files.filter { $0.hasSuffix("/status") } + ["/proc/self/status", "/proc/1/status"]
        #expect(statuses.count >= 5)
        for path in statuses {
            guard let bytes = SmallFile.read(path) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            let expected = ProcStatus(parsing: text)
            let fields = HostSampler.StatusFields(parsing: bytes)
            #expect((fields == nil) == (expected == nil), "\(path)")
            if let fields, let expected {
                #expect(fields.rss == expected.rss && fields.rssAnon == expected.rssAnon && fields.rssFile == expected.rssFile
                        && fields.caughtSignals == expected.caughtSignals && fields.isZombie == expected.isZombie, "\(path)")
            }
            // A cut-off file: nil or the same as the text parser.
            let cut = Array(bytes.prefix(bytes.count / 2))
            #expect((HostSampler.StatusFields(parsing: cut) == nil) == (ProcStatus(parsing: String(decoding: cut, as: UTF8.self)) == nil))
        }
        #expect(HostSampler.StatusFields(parsing: Array("Pid:\t1\nPPid:\t0\nSigCgt:\tzz\n".utf8)) == nil)
        let zombie = try #require(HostSampler.StatusFields(parsing: Array("State:\tZ (zombie)\nPid:\t7\nPPid:\t1\nSigCgt:\t0000000000004a02\n".utf8)))
        #expect(zombie.isZombie && zombie.caughtSignals.contains(SIGUSR2) && zombie.rss == 0)

        let cgroups = files.filter { $0.hasSuffix("/cgroup") } + ["/proc/self/cgroup"]
        #expect(cgroups.count >= 6)
        for path in cgroups {
            let directory = (path as NSString).deletingLastPathComponent
            let reader = CgroupMemoryReader(procRoot: (directory as NSString).deletingLastPathComponent)
            let pid = Int32((directory as NSString).lastPathComponent) ?? getpid()
            guard let bytes = SmallFile.read(path), let expected = reader.membership(of: pid).value else { continue }
            #expect(HostSampler.membership(parsing: bytes) == expected, "\(path)")
        }
        let mixed = Array("12:cpu,memory:/a\n\n0::/b\nbad line\n3:pids:/c\n".utf8)
        #expect(HostSampler.membership(parsing: mixed) == CgroupMemoryReader.Membership(v1Path: "/a", v2Path: "/b"))
    }
}
