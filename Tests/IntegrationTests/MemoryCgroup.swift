import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A memory cgroup a test makes below its own, with a limit; cgroup v1
/// (`memory.limit_in_bytes`) or v2 (`memory.max`), whichever this machine has.
/// Making one takes root: `make` returns nil (with why) when it cannot.
final class MemoryCgroup {
    /// The directory in the cgroup file system.
    let directory: String
    /// The path as `/proc/PID/cgroup` prints it, e.g. `/system.slice/memwatchd-test-1a2b`.
    let path: String
    let isV2: Bool

    private init(directory: String, path: String, isV2: Bool) {
        self.directory = directory
        self.path = path
        self.isV2 = isV2
    }

    /// A child of this process's memory cgroup limited to `limit` bytes, or why there is none.
    static func make(limit: Int64, root: String = "/sys/fs/cgroup") -> Result<MemoryCgroup, TestFailure> {
        guard let own = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else {
            return .failure(TestFailure("cannot read /proc/self/cgroup"))
        }
        let name = "memwatchd-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        for line in own.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let parentPath = fields[2] == "/" ? "" : String(fields[2])
            if fields[1].split(separator: ",").contains("memory") {
                return create(
                    parent: "\(root)/memory\(parentPath)", path: "\(parentPath)/\(name)", isV2: false,
                    limitFile: "memory.limit_in_bytes", limit: limit)
            }
            if fields[0] == "0", fields[1].isEmpty, isCgroup2(root) {
                let parent = "\(root)\(parentPath)"
                // v2 lets a child have the memory controller only when its parent hands it down.
                try? "+memory".write(toFile: parent + "/cgroup.subtree_control", atomically: false, encoding: .utf8)
                return create(
                    parent: parent, path: "\(parentPath)/\(name)", isV2: true, limitFile: "memory.max", limit: limit)
            }
        }
        return .failure(TestFailure("no memory cgroup in /proc/self/cgroup"))
    }

    /// Only a cgroup2 root has `cgroup.controllers` (v1's tmpfs holds one directory per controller).
    private static func isCgroup2(_ root: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/cgroup.controllers")
    }

    private static func create(
        parent: String, path: String, isV2: Bool, limitFile: String, limit: Int64
    ) -> Result<MemoryCgroup, TestFailure> {
        let directory = parent + "/" + (path as NSString).lastPathComponent
        guard mkdir(directory, 0o755) == 0 else {
            return .failure(TestFailure("cannot make memory cgroup \(directory): \(String(cString: strerror(errno)))"))
        }
        let cgroup = MemoryCgroup(directory: directory, path: path, isV2: isV2)
        do {
            try cgroup.write(String(limit), to: limitFile)
            // No swap: going over the limit is met by the OOM killer, as in a container.
            if isV2 { try? cgroup.write("0", to: "memory.swap.max") }
        } catch {
            cgroup.remove()
            return .failure(error)
        }
        return .success(cgroup)
    }

    /// A command line for `sh -c` that moves the shell into this cgroup, then runs `command`.
    func joinThenExec(_ command: String) -> String {
        "echo $$ > \(shellQuoted(directory + "/cgroup.procs")) && exec \(command)"
    }

    /// How often the kernel's OOM killer killed a process in this cgroup.
    var oomKills: Int? {
        let file = isV2 ? "memory.events" : "memory.oom_control"
        guard let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix("oom_kill ") }
        return line.flatMap { Int($0.split(separator: " ")[1]) }
    }

    /// Moves anything still in the cgroup to its parent, then removes it.
    func remove() {
        let parent = (directory as NSString).deletingLastPathComponent
        let procs = (try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8)) ?? ""
        for pid in procs.split(separator: "\n") {
            try? String(pid).write(toFile: parent + "/cgroup.procs", atomically: false, encoding: .utf8)
        }
        rmdir(directory)
    }

    private func write(_ value: String, to file: String) throws(TestFailure) {
        do {
            try value.write(toFile: directory + "/" + file, atomically: false, encoding: .utf8)
        } catch {
            throw TestFailure("cannot write \(value) to \(directory)/\(file): \(error)")
        }
    }
}
