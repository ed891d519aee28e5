import Foundation

/// What memwatchd holds about one node process while it watches it.
public struct WatchedProcess: Sendable {
    /// Opened when the process is first seen, so a signal can never reach a
    /// later process that reuses the pid.
    public let handle: ProcessHandle
    /// The first isolate that traced for this pid: the main thread's, which
    /// the preload makes announce itself with one GC before app code runs.
    /// Others are worker threads.
    public let mainIsolate: UInt64
    /// V8's heap limit, from the preload's report or `--max-old-space-size`.
    public var heapLimit: Int64?
    /// The process's cwd when first seen: where the heapdump module writes.
    public var workingDirectory: String?
    /// The latest /proc sample.
    public var latestSample: MemorySample?
    /// The isolates watched, up to ``ProcessRegistry/maxIsolatesPerProcess``.
    public var isolates: Set<UInt64> = []
    /// Told once that it passed the isolate bound.
    public var isolateLimitNoted = false
    /// Its pidfd said it exited; its last lines may still be on their way.
    public var hasExited = false
    /// The recorded leak event, to which later findings (what grew) are added.
    public var leakEventID: Int64?
    /// Snapshots asked for since the leak: when, and the heap then.
    public var snapshotRequests: [(time: Date, heapUsed: Int64)] = []
    /// Snapshots written, oldest first.
    public var snapshotPaths: [String] = []

    public var pid: Int32 { handle.pid }

    public init(handle: ProcessHandle, mainIsolate: UInt64, heapLimit: Int64? = nil, workingDirectory: String? = nil) {
        self.handle = handle
        self.mainIsolate = mainIsolate
        self.heapLimit = heapLimit
        self.workingDirectory = workingDirectory
    }

    /// What the response policy reads.
    var facts: ResponsePolicy.ProcessFacts {
        ResponsePolicy.ProcessFacts(
            pid: pid, mainIsolate: mainIsolate, rss: latestSample?.rss, snapshotRequests: snapshotRequests)
    }
}
