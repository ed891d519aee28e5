import Foundation
import Glibc
import Testing
import TestSupport

@testable import MemWatchCore

@Suite struct ProcCgroupMemoryTests {
    @Test func v1LimitAndUsageFromARealCgroup() throws {
        let root = Fixtures.url("proc/node-cluster").path
        let reader = CgroupMemoryReader(procRoot: root + "/proc", cgroupRoot: root + "/sys/fs/cgroup")
        let memory = try #require(reader.memory(of: 16090).value ?? nil)
        #expect(memory.version == .v1)
        #expect(memory.path == "/process_api/a81195cff316a40b8fb1672e62254fb4/memwatch-fixture")
        #expect(memory.limit == Int64(512 * 1024 * 1024))
        #expect(memory.usage == 39_796_736)
        #expect(memory.headroom == Int64(512 * 1024 * 1024 - 39_796_736))
    }

    @Test func unlimitedV1CgroupHasNoLimit() throws {
        let root = Fixtures.url("proc/node-plain").path
        let reader = CgroupMemoryReader(procRoot: root + "/proc", cgroupRoot: root + "/sys/fs/cgroup")
        let pid = try #require(ProcReader(root: root + "/proc").allPIDs().first)
        let memory = try #require(reader.memory(of: pid).value ?? nil)
        #expect(memory.limit == nil && memory.headroom == nil)
        #expect(memory.usage > 0)
    }

    /// cgroup v2 laid out as the kernel does (this machine has no v2 memory
    /// controller to copy from): the tightest limit up the tree wins.
    @Test func v2TightestAncestorLimit() throws {
        let root = try TestRunDirectory.makeDirectory("cg2")
        defer { TestRunDirectory.remove(root) }
        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: root + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try write("/proc/77/cgroup", "0::/system.slice/app.service\n")
        try write("/sys/fs/cgroup/system.slice/app.service/memory.current", "104857600\n")
        try write("/sys/fs/cgroup/system.slice/app.service/memory.max", "max\n")
        try write("/sys/fs/cgroup/system.slice/memory.current", "943718400\n")
        try write("/sys/fs/cgroup/system.slice/memory.max", "1073741824\n")
        let reader = CgroupMemoryReader(procRoot: root + "/proc", cgroupRoot: root + "/sys/fs/cgroup")
        let memory = try #require(reader.memory(of: 77).value ?? nil)
        #expect(memory.version == .v2)
        #expect(memory.usage == 104_857_600)
        #expect(memory.limit == 1_073_741_824)
        #expect(memory.headroom == Int64(1_073_741_824 - 943_718_400))
        #expect(reader.memory(of: 78) == .vanished)
    }

    @Test func thisProcessOnThisMachine() throws {
        let memory = try #require(CgroupMemoryReader().memory(of: getpid()).value ?? nil)
        #expect(memory.usage > 0)
    }
}
