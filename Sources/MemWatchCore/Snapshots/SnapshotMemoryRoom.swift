/// The memory a snapshot may use: the machine's `MemAvailable`, or what is
/// left under the limit of the process's memory cgroup.
public enum SnapshotMemoryRoom: Sendable, Equatable, CustomStringConvertible {
    case memAvailable(Int64)
    case cgroup(CgroupMemory)

    /// Bytes free in this room; nil for a cgroup without a limit.
    public var bytes: Int64? {
        switch self {
        case let .memAvailable(bytes): bytes
        case let .cgroup(memory): memory.headroom
        }
    }

    public var description: String {
        typealias H = HumanReadable
        switch self {
        case let .memAvailable(bytes):
            return "MemAvailable is \(H.bytes(bytes))"
        case let .cgroup(memory):
            let version = memory.version == .v1 ? "v1" : "v2"
            let limit = memory.limit.map { " of its \(H.bytes($0)) limit" } ?? ""
            return "the memory cgroup \(memory.path) (\(version)) has \(H.bytes(memory.headroom ?? 0)) left\(limit)"
        }
    }
}
