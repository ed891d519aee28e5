/// Reads processes and system memory from a /proc tree.
///
/// The root is a parameter so tests read fixture trees copied from real
/// processes (earlyoom's `procdir_path`).
public struct ProcReader: Sendable {
    public var root: String

    public init(root: String = "/proc") {
        self.root = root
    }

    public func status(of pid: Int32) -> ProcRead<ProcStatus> {
        guard let text = SmallFile.readString("\(root)/\(pid)/status"),
            let status = ProcStatus(parsing: text)
        else { return .vanished }
        return .present(status)
    }

    /// The command line, one element per argument. Empty for kernel threads
    /// and zombies.
    public func commandLine(of pid: Int32) -> ProcRead<[String]> {
        guard let bytes = SmallFile.read("\(root)/\(pid)/cmdline") else { return .vanished }
        var arguments = bytes.split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if arguments.last == "" { arguments.removeLast() }
        return .present(arguments)
    }

    /// Thread ids of the process (its `task` directory).
    public func threads(of pid: Int32) -> ProcRead<[Int32]> {
        guard let names = SmallFile.directoryEntries("\(root)/\(pid)/task") else { return .vanished }
        return .present(names.compactMap { Int32($0) }.sorted())
    }

    /// The process's parent and process group, from `stat` (cheaper than `status`).
    public func parentage(of pid: Int32) -> ProcRead<ProcParentage> {
        guard let text = SmallFile.readString("\(root)/\(pid)/stat"),
            let parentage = ProcParentage(parsingStat: text)
        else { return .vanished }
        return .present(parentage)
    }

    /// Every pid in the tree, ascending.
    public func allPIDs() -> [Int32] {
        (SmallFile.directoryEntries(root) ?? []).compactMap { Int32($0) }.sorted()
    }

    /// All processes below `pid` (children, grandchildren, ...), ascending.
    /// Processes that vanish during the walk are left out.
    public func descendants(of pid: Int32) -> [Int32] {
        var childrenByParent: [Int32: [Int32]] = [:]
        for candidate in allPIDs() {
            if let parentage = parentage(of: candidate).value {
                childrenByParent[parentage.parentPID, default: []].append(candidate)
            }
        }
        var found: [Int32] = []
        var queue = childrenByParent[pid] ?? []
        while let next = queue.popLast() {
            found.append(next)
            queue.append(contentsOf: childrenByParent[next] ?? [])
        }
        return found.sorted()
    }

    /// Live (non-zombie) members of a process group.
    public func members(ofProcessGroup pgid: Int32) -> [Int32] {
        allPIDs().filter { pid in
            guard let parentage = parentage(of: pid).value else { return false }
            return parentage.processGroup == pgid && !parentage.isZombie
        }
    }

    /// `MemAvailable` from `meminfo`, bytes; nil if the kernel does not print it.
    public func memoryAvailable() -> Int64? {
        guard let text = SmallFile.readString("\(root)/meminfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let digits = line.dropFirst("MemAvailable:".count)
                .drop(while: { $0 == " " }).prefix(while: { $0.isNumber })
            return Int64(digits).map { $0 * 1024 }
        }
        return nil
    }
}
