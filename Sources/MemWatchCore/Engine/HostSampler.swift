import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One /proc pass a tick for every watched process on the host: each
/// process's status, `MemAvailable` once, and each cgroup its processes
/// share once (a cluster's workers sit in one).
public struct HostSampler: Sendable {
    public var proc: ProcReader
    public var cgroups: CgroupMemoryReader
    /// The signal node was told to snapshot on: samples say whether it is caught.
    public var snapshotSignal: Int32

    public init(
        proc: ProcReader = ProcReader(), cgroups: CgroupMemoryReader = CgroupMemoryReader(),
        snapshotSignal: Int32 = SIGUSR2
    ) {
        self.proc = proc
        self.cgroups = cgroups
        self.snapshotSignal = snapshotSignal
    }

    /// A sample of each of `pids` still alive, ascending by pid.
    public func sample(_ pids: [Int32], at time: Date = Date()) -> [MemorySample] {
        guard !pids.isEmpty else { return [] }
        let available = proc.memoryAvailable()
        var cgroupOf: [CgroupMemoryReader.Membership: CgroupMemory?] = [:]
        return pids.sorted().compactMap { pid in
            // The bytes are read for the few fields a sample needs (see `StatusFields`).
            guard let bytes = SmallFile.read("\(proc.root)/\(pid)/status"), let status = StatusFields(parsing: bytes),
                !status.isZombie
            else { return nil }
            var cgroup: CgroupMemory?
            if let bytes = SmallFile.read("\(cgroups.procRoot)/\(pid)/cgroup") {
                let membership = Self.membership(parsing: bytes)
                if let known = cgroupOf[membership] {
                    cgroup = known
                } else {
                    cgroup = cgroups.memory(of: membership)
                    cgroupOf[membership] = cgroup
                }
            }
            return MemorySample(
                pid: pid, time: time, rss: status.rss, rssAnon: status.rssAnon,
                rssFile: status.rssFile, catchesSnapshotSignal: status.caughtSignals.contains(snapshotSignal),
                cgroup: cgroup, memoryAvailable: available)
        }
    }
}

extension HostSampler {
    /// What a sample needs of `/proc/PID/status`, read from its bytes: the
    /// same values, and the same nil (no `Pid`, `PPid` or `SigCgt`), as
    /// ``ProcStatus/init(parsing:)``, which goes through `String`'s
    /// Character view line by line. With 200 processes sampled each second
    /// that parse was ~57 % of a sampling round's CPU and the round cost
    /// ~4.5x the bare reads (Benchmarks/engine-scale).
    struct StatusFields: Equatable {
        var isZombie = false
        var rss: Int64 = 0
        var rssAnon: Int64 = 0
        var rssFile: Int64 = 0
        var caughtSignals = SignalSet(mask: 0)

        init?(parsing bytes: [UInt8]) {
            var hasPID = false, hasParent = false, hasCaught = false
            let found: Bool? = bytes.withUnsafeBufferPointer { buffer in
                var position = 0
                let end = buffer.count
                while position < end {
                    var lineEnd = position
                    while lineEnd < end, buffer[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                    defer { position = lineEnd + 1 }
                    var colon = position
                    while colon < lineEnd, buffer[colon] != UInt8(ascii: ":") { colon += 1 }
                    guard colon < lineEnd else { continue }
                    var value = colon + 1
                    while value < lineEnd, buffer[value] == UInt8(ascii: " ") || buffer[value] == UInt8(ascii: "\t") {
                        value += 1
                    }
                    let key = UnsafeBufferPointer(rebasing: buffer[position..<colon])
                    let field = UnsafeBufferPointer(rebasing: buffer[value..<lineEnd])
                    if key.elementsEqual("State".utf8) {
                        isZombie = field.first == UInt8(ascii: "Z") || field.first == UInt8(ascii: "X")
                    } else if key.elementsEqual("Pid".utf8) {
                        hasPID = Self.decimal(field) != nil
                    } else if key.elementsEqual("PPid".utf8) {
                        hasParent = Self.decimal(field) != nil
                    } else if key.elementsEqual("VmRSS".utf8) {
                        rss = Self.kilobytes(field)
                    } else if key.elementsEqual("RssAnon".utf8) {
                        rssAnon = Self.kilobytes(field)
                    } else if key.elementsEqual("RssFile".utf8) {
                        rssFile = Self.kilobytes(field)
                    } else if key.elementsEqual("SigCgt".utf8) {
                        guard let mask = Self.hex(field) else { hasCaught = false; continue }
                        caughtSignals = SignalSet(mask: mask)
                        hasCaught = true
                    }
                }
                return true
            }
            guard found == true, hasPID, hasParent, hasCaught else { return nil }
        }

        /// The whole field as an Int32 (`Int32(_:)` on the text), nil if not one.
        private static func decimal(_ field: UnsafeBufferPointer<UInt8>) -> Int32? {
            guard !field.isEmpty else { return nil }
            var digits = field[...]
            var negative = false
            if digits.first == UInt8(ascii: "-") || digits.first == UInt8(ascii: "+") {
                negative = digits.first == UInt8(ascii: "-")
                digits = digits.dropFirst()
                guard !digits.isEmpty else { return nil }
            }
            var value: Int64 = 0
            for byte in digits {
                guard byte &- UInt8(ascii: "0") < 10 else { return nil }
                value = value * 10 + Int64(byte &- UInt8(ascii: "0"))
                guard value <= Int64(Int32.max) + 1 else { return nil }
            }
            value = negative ? -value : value
            return value >= Int64(Int32.min) && value <= Int64(Int32.max) ? Int32(value) : nil
        }

        /// The leading digits, in kB, as bytes; 0 without digits.
        private static func kilobytes(_ field: UnsafeBufferPointer<UInt8>) -> Int64 {
            var value: Int64 = 0
            for byte in field {
                guard byte &- UInt8(ascii: "0") < 10 else { break }
                let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow, case let (sum, false) = times.addingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
                else { return 0 }  // as `Int64(digits) ?? 0`
                value = sum
            }
            return value * 1024
        }

        /// The whole field as a hex mask (`SignalSet(hex:)`), nil if malformed.
        private static func hex(_ field: UnsafeBufferPointer<UInt8>) -> UInt64? {
            guard !field.isEmpty else { return nil }
            var value: UInt64 = 0
            for byte in field {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                guard value >> 60 == 0 else { return nil }
                value = value << 4 | UInt64(digit)
            }
            return value
        }
    }

    /// `/proc/PID/cgroup`'s memory cgroups from its bytes, as
    /// ``CgroupMemoryReader/membership(of:)`` reads them from its text
    /// (`hierarchy:controllers:path`; `0::path` is v2; a later line wins).
    static func membership(parsing bytes: [UInt8]) -> CgroupMemoryReader.Membership {
        var membership = CgroupMemoryReader.Membership()
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { lineStart = lineEnd + 1 }
            let line = bytes[lineStart..<lineEnd]
            guard let first = line.firstIndex(of: UInt8(ascii: ":")),
                let second = line[(first + 1)...].firstIndex(of: UInt8(ascii: ":"))
            else { continue }
            let hierarchy = line[lineStart..<first], controllers = line[(first + 1)..<second]
            let path = String(decoding: line[(second + 1)...], as: UTF8.self)
            if hierarchy.elementsEqual("0".utf8) && controllers.isEmpty {
                membership.v2Path = path
            } else if controllers.split(separator: UInt8(ascii: ",")).contains(where: { $0.elementsEqual("memory".utf8) }) {
                membership.v1Path = path
            }
        }
        return membership
    }
}
