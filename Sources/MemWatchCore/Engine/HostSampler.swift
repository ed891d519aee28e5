import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One /proc pass a tick for every watched process on the host: each
/// process's `statm` (its resident pages: the kernel formats seven numbers,
/// where `status` costs it fifty lines), `MemAvailable` once, and each
/// memory cgroup its processes share once (a cluster's workers sit in one).
///
/// Where a process sits in the cgroup tree rarely changes, so its
/// `/proc/PID/cgroup` is read when it is first sampled and again every
/// ``Memberships/refreshRounds`` rounds, not every tick. Whether a process
/// catches the snapshot signal is not sampled: the snapshot request reads
/// `SigCgt` fresh, at the moment it matters.
public struct HostSampler: Sendable {
    public var proc: ProcReader
    public var cgroups: CgroupMemoryReader

    public init(proc: ProcReader = ProcReader(), cgroups: CgroupMemoryReader = CgroupMemoryReader()) {
        self.proc = proc
        self.cgroups = cgroups
    }

    /// The cgroup memberships learnt so far, kept by the caller between rounds.
    public struct Memberships: Sendable {
        /// Rounds between two readings of a process's membership (30 s at
        /// the default 1 s interval): a process moved by systemd or
        /// `cgexec` is seen in its new cgroup within that.
        public static let refreshRounds = 30

        /// Each process's membership, the round it was read and the round it was last asked for.
        var known: [Int32: (membership: CgroupMemoryReader.Membership, read: Int, used: Int)] = [:]
        var round = 0

        public init() {}

        /// The membership of `pid`, read anew when unknown or due.
        mutating func of(_ pid: Int32, reader: CgroupMemoryReader) -> CgroupMemoryReader.Membership? {
            if let entry = known[pid], round - entry.read < Self.refreshRounds {
                known[pid]?.used = round
                return entry.membership
            }
            guard let membership = reader.membership(of: pid).value else { return nil }
            known[pid] = (membership, round, round)
            return membership
        }

        /// Ends a round of `sampled` processes: those not asked for in it are forgotten.
        mutating func endRound(sampled: Int) {
            if known.count > sampled { known = known.filter { $0.value.used == round } }
            round += 1
        }
    }

    /// A sample of each of `pids` still alive, ascending by pid.
    public func sample(_ pids: [Int32], at time: Date = Date(), memberships: inout Memberships) -> [MemorySample] {
        defer { memberships.endRound(sampled: pids.count) }
        guard !pids.isEmpty else { return [] }
        let available = proc.memoryAvailable()
        var cgroupOf: [CgroupMemoryReader.Membership: CgroupMemory?] = [:]
        return pids.sorted().compactMap { pid in
            guard let pages = SmallFile.read("\(proc.root)/\(pid)/statm").flatMap(StatmPages.init(parsing:)),
                  pages.resident > 0  // a zombie has no pages left
            else { return nil }
            var cgroup: CgroupMemory?
            if let membership = memberships.of(pid, reader: cgroups) {
                if let known = cgroupOf[membership] {
                    cgroup = known
                } else {
                    cgroup = cgroups.memory(of: membership)
                    cgroupOf[membership] = cgroup
                }
            }
            let page = Self.pageSize
            return MemorySample(
                pid: pid, time: time, rss: pages.resident * page, rssAnon: (pages.resident - pages.shared) * page,
                rssFile: pages.shared * page, cgroup: cgroup, memoryAvailable: available)
        }
    }

    /// One round with nothing learnt before (a one-off sample).
    public func sample(_ pids: [Int32], at time: Date = Date()) -> [MemorySample] {
        var fresh = Memberships()
        return sample(pids, at: time, memberships: &fresh)
    }

    static let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
}

/// `/proc/PID/statm`'s resident and shared pages (its 2nd and 3rd numbers).
/// Shared pages are the file-backed and shmem ones (RssFile + RssShmem), so
/// resident minus shared is `status`'s RssAnon.
struct StatmPages: Equatable {
    var resident: Int64
    var shared: Int64

    init?(parsing bytes: [UInt8]) {
        let fields: (Int64, Int64)? = bytes.withUnsafeBufferPointer { buffer in
            guard let start = buffer.baseAddress else { return nil }
            var cursor = ByteCursor(start, start + buffer.count)
            guard cursor.integer() != nil, cursor.skip(UInt8(ascii: " ")), let resident = cursor.integer(),
                  cursor.skip(UInt8(ascii: " ")), let shared = cursor.integer()
            else { return nil }
            return (resident, shared)
        }
        guard let (resident, shared) = fields else { return nil }
        self.resident = resident
        self.shared = min(shared, resident)
    }
}
