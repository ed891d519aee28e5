import Foundation

/// The memory limit and usage of the cgroup a process runs in.
public struct CgroupMemory: Sendable, Equatable {
    public enum Version: Sendable, Equatable { case v1, v2 }

    public var version: Version
    /// The cgroup's path inside its hierarchy, e.g. `/system.slice/app.service`.
    public var path: String
    /// Bytes charged to the process's own cgroup.
    public var usage: Int64
    /// The tightest limit on the way up to the root; nil when unlimited.
    public var limit: Int64?
    /// Bytes left before the tightest limit is hit (limit minus usage of the
    /// cgroup that sets it); nil when unlimited.
    public var headroom: Int64?

    public init(version: Version, path: String, usage: Int64, limit: Int64?, headroom: Int64?) {
        self.version = version
        self.path = path
        self.usage = usage
        self.limit = limit
        self.headroom = headroom
    }
}

/// Finds and reads a process's memory cgroup (v2 `memory.max`/`memory.current`,
/// v1 `memory.limit_in_bytes`/`memory.usage_in_bytes`).
///
/// Both roots are parameters so tests read fixture trees.
public struct CgroupMemoryReader: Sendable {
    public var procRoot: String
    public var cgroupRoot: String

    public init(procRoot: String = "/proc", cgroupRoot: String = "/sys/fs/cgroup") {
        self.procRoot = procRoot
        self.cgroupRoot = cgroupRoot
    }

    /// Where a process sits in the memory hierarchies (`/proc/PID/cgroup`):
    /// processes of one cgroup share it, so a sampler reads their cgroup once.
    public struct Membership: Sendable, Hashable {
        public var v1Path: String?
        public var v2Path: String?
    }

    /// `.present(nil)` when the process runs in no memory cgroup we can read.
    public func memory(of pid: Int32) -> ProcRead<CgroupMemory?> {
        membership(of: pid).map { memory(of: $0) }
    }

    public func membership(of pid: Int32) -> ProcRead<Membership> {
        guard let text = SmallFile.readString("\(procRoot)/\(pid)/cgroup") else { return .vanished }
        var membership = Membership()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                membership.v2Path = String(fields[2])
            } else if fields[1].split(separator: ",").contains("memory") {
                membership.v1Path = String(fields[2])
            }
        }
        return .present(membership)
    }

    /// The memory cgroup's usage and limits; nil when none can be read.
    public func memory(of membership: Membership) -> CgroupMemory? {
        if let v1Path = membership.v1Path, let memory = read(
            mount: "\(cgroupRoot)/memory", path: v1Path, version: .v1,
            usageFile: "memory.usage_in_bytes", limitFile: "memory.limit_in_bytes")
        {
            return memory
        }
        if let v2Path = membership.v2Path {
            for mount in [cgroupRoot, "\(cgroupRoot)/unified"] {
                if let memory = read(
                    mount: mount, path: v2Path, version: .v2,
                    usageFile: "memory.current", limitFile: "memory.max")
                {
                    return memory
                }
            }
        }
        return nil
    }

    /// Reads usage at the process's cgroup and the tightest limit on its way
    /// up. Inside a cgroup namespace the printed path may not exist under the
    /// mount: then the mount's root is the process's cgroup.
    private func read(
        mount: String, path: String, version: CgroupMemory.Version,
        usageFile: String, limitFile: String
    ) -> CgroupMemory? {
        var components = path.split(separator: "/").map(String.init)
        var directory = Self.join(mount, components)
        if SmallFile.readString("\(directory)/\(usageFile)") == nil {
            components = []
            directory = mount
        }
        guard let usage = Self.number(SmallFile.readString("\(directory)/\(usageFile)")) else {
            return nil
        }
        var limit: Int64?, headroom: Int64?
        while true {
            let here = Self.join(mount, components)
            if let hereLimit = Self.limit(SmallFile.readString("\(here)/\(limitFile)")) {
                let hereUsage = Self.number(SmallFile.readString("\(here)/\(usageFile)")) ?? usage
                limit = min(limit ?? hereLimit, hereLimit)
                headroom = min(headroom ?? Int64.max, max(0, hereLimit - hereUsage))
            }
            if components.isEmpty { break }
            components.removeLast()
        }
        return CgroupMemory(
            version: version, path: "/" + path.split(separator: "/").joined(separator: "/"),
            usage: usage, limit: limit, headroom: headroom)
    }

    private static func join(_ mount: String, _ components: [String]) -> String {
        components.isEmpty ? mount : mount + "/" + components.joined(separator: "/")
    }

    private static func number(_ text: String?) -> Int64? {
        guard let text else { return nil }
        return Int64(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// "max" (v2) and v1's page-rounded INT64_MAX mean no limit.
    private static func limit(_ text: String?) -> Int64? {
        guard let value = number(text) else { return nil }
        return value >= (1 << 62) ? nil : value
    }
}
