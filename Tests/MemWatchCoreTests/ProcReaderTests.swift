import Glibc
import Testing

@testable import MemWatchCore

/// Fixture trees under Tests/Fixtures/proc were copied from real processes by
/// Tests/Fixtures/proc/capture.sh: `node-cluster` is a cluster primary started
/// with `--heapsnapshot-signal=SIGUSR2` and its two workers, in a v1 memory
/// cgroup limited to 512 MB; `node-plain` is node without that flag.
@Suite struct ProcReaderTests {
    let cluster = ProcReader(root: Fixtures.url("proc/node-cluster/proc").path)
    let plain = ProcReader(root: Fixtures.url("proc/node-plain/proc").path)

    @Test func readsStatusOfARealNodeProcess() throws {
        let status = try #require(cluster.status(of: 16090).value)
        #expect(status.pid == 16090)
        #expect(status.parentPID == 16082)
        #expect(status.name == "node")
        #expect(status.rss == 42424 * 1024)
        #expect(status.rssAnon + status.rssFile + status.rssShmem == status.rss)
        #expect(status.threads == 7)
        #expect(status.catches(signal: SIGUSR2))
        #expect(!status.catches(signal: SIGHUP))
    }

    @Test func nodeWithoutTheSnapshotFlagDoesNotCatchSIGUSR2() throws {
        let pid = try #require(plain.allPIDs().first)
        let status = try #require(plain.status(of: pid).value)
        #expect(!status.catches(signal: SIGUSR2))
        #expect(status.catches(signal: SIGPIPE) || status.ignoredSignals.contains(SIGPIPE))
    }

    @Test func signalMaskBits() {
        let set = SignalSet(hex: "0000000000000800")!
        #expect(set.contains(12))
        #expect(!set.contains(11) && !set.contains(13))
        #expect(SignalSet(hex: "zz") == nil)
    }

    @Test func processTreeAndCommandLine() throws {
        #expect(cluster.descendants(of: 16090) == [16098, 16099])
        #expect(cluster.descendants(of: 16098) == [])
        #expect(cluster.commandLine(of: 16098).value == ["/usr/bin/node", "--heapsnapshot-signal=SIGUSR2", "/tmp/cluster.js"])
        #expect(cluster.threads(of: 16090).value?.first == 16090)
        #expect(cluster.parentage(of: 16099).value?.parentPID == 16090)
    }

    @Test func vanishedProcessIsACaseNotAnError() {
        #expect(cluster.status(of: 999_999) == .vanished)
        #expect(cluster.commandLine(of: 999_999) == .vanished)
        #expect(cluster.threads(of: 999_999) == .vanished)
        #expect(cluster.descendants(of: 999_999) == [])
        #expect(ProcReader(root: "/nonexistent").memoryAvailable() == nil)
    }

    @Test func memoryAvailable() throws {
        let available = try #require(cluster.memoryAvailable())
        #expect(available > 0 && available % 1024 == 0)
    }

    @Test func liveProcReadsThisProcess() throws {
        let proc = ProcReader()
        let status = try #require(proc.status(of: getpid()).value)
        #expect(status.rss > 0)
        #expect(proc.descendants(of: getppid()).contains(getpid()))
        #expect(try #require(proc.memoryAvailable()) > 0)
    }
}
