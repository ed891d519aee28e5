import Testing
@testable import MemWatchCore

@Suite struct SnapshotFileNameTests {
    @Test func signalSnapshotsOfThisPidOnly() {
        #expect(SnapshotFileName.isSignalSnapshot("Heap.20261125.191837.14515.0.001.heapsnapshot", pid: 14515))
        #expect(!SnapshotFileName.isSignalSnapshot("Heap.20261125.191837.14515.0.001.heapsnapshot", pid: 1451))
        #expect(!SnapshotFileName.isSignalSnapshot("Heap.20261125.191837.145150.0.001.heapsnapshot", pid: 14515))
        #expect(!SnapshotFileName.isSignalSnapshot("Heap.2026112.191837.14515.0.001.heapsnapshot", pid: 14515))
        #expect(!SnapshotFileName.isSignalSnapshot("Heap.20261125.191837.14515.0.001.heapsnapshot.tmp", pid: 14515))
        #expect(!SnapshotFileName.isSignalSnapshot("Heap.20261125.191837.14515.0.001.heapprofile", pid: 14515))
    }

    @Test func threadFilterTellsMainThreadFromWorkers() {
        // Main thread (SIGUSR2) vs a worker's own snapshot as the preload names it.
        #expect(SnapshotFileName.isSignalSnapshot("Heap.20261125.191837.14515.0.001.heapsnapshot", pid: 14515, thread: 0))
        #expect(!SnapshotFileName.isSignalSnapshot("Heap.20261125.191837.14515.2.1.heapsnapshot", pid: 14515, thread: 0))
        #expect(SnapshotFileName.isSignalSnapshot("Heap.20261125.191837.14515.2.1.heapsnapshot", pid: 14515, thread: 2))
        #expect(SnapshotFileName.isSignalSnapshot("Heap.20261125.191837.14515.2.1.heapsnapshot", pid: 14515))
    }

    @Test func heapdumpModuleNames() {
        #expect(SnapshotFileName.isHeapdumpSnapshot("heapdump-1795634907522.1.heapsnapshot"))
        #expect(!SnapshotFileName.isHeapdumpSnapshot("heapdump-1.2.heapsnapshot.partial"))
        #expect(!SnapshotFileName.isHeapdumpSnapshot("Heap.20261125.191837.1.0.001.heapsnapshot"))
    }
}
