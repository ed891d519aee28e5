import Foundation

/// One reading of a process's memory, with its cgroup and the machine's
/// available memory at that moment.
public struct MemorySample: Sendable, Equatable {
    public var pid: Int32
    public var time: Date
    /// Resident set, bytes, and its anonymous / file-backed parts.
    public var rss: Int64
    public var rssAnon: Int64
    public var rssFile: Int64
    public var cgroup: CgroupMemory?
    /// `MemAvailable` of the machine, bytes.
    public var memoryAvailable: Int64?

    public init(
        pid: Int32, time: Date, rss: Int64, rssAnon: Int64, rssFile: Int64,
        cgroup: CgroupMemory?, memoryAvailable: Int64?
    ) {
        self.pid = pid
        self.time = time
        self.rss = rss
        self.rssAnon = rssAnon
        self.rssFile = rssFile
        self.cgroup = cgroup
        self.memoryAvailable = memoryAvailable
    }
}
