import Synchronization

/// The processes memwatchd watches, and so the only ones whose GC trace it
/// believes and may act on. The trace comes mixed with what the app prints,
/// and an app can print a line that looks like V8's and names any pid: that
/// line must never make memwatchd (perhaps root) signal another process.
public protocol WatchScope: Sendable {
    /// A handle on `pid`, held through its pidfd, when `pid` is watched; nil
    /// when it is not (or is gone). The handle may be of a process that has
    /// exited since (its last lines are still its own): check before acting.
    func handle(for pid: Int32) -> ProcessHandle?

    /// Whether lines naming `pid` are believed: asked for every trace line,
    /// so it need not open anything for a pid already admitted.
    func admits(_ pid: Int32) -> Bool

    /// The engine dropped `handle`'s process (it exited): let go of it, so a
    /// scope watching short-lived processes for months holds no pidfd of theirs.
    func forget(_ handle: ProcessHandle)
}

extension WatchScope {
    public func admits(_ pid: Int32) -> Bool { handle(for: pid) != nil }
    public func forget(_ handle: ProcessHandle) {}
}

/// `memwatchd run`'s scope: the launched process and every process below it
/// (by parent, or by staying in its process group or session when a parent
/// exited before them).
///
/// A pid is checked with its pidfd open, and the pidfd is found still alive
/// after the check, so the check was of the process the handle holds, not
/// of one that took a reused pid in between.
public final class ProcessTreeScope: WatchScope {
    public let root: ProcessHandle
    private let proc: ProcReader
    private let admitted = Mutex<[Int32: ProcessHandle]>([:])
    /// Processes held at once; past this, ones that exited are forgotten.
    static let capacity = 4096
    /// How far up the parent chain a process is looked for.
    static let maxDepth = 64

    public init(root: ProcessHandle, proc: ProcReader = ProcReader()) {
        self.root = root
        self.proc = proc
    }

    /// Once admitted, a pid stays believed (no system call here): its last
    /// lines may be read after it exited. Nothing is acted on by this alone:
    /// actions go through ``handle(for:)``, which checks a process anew
    /// once the one it held has exited.
    public func admits(_ pid: Int32) -> Bool {
        if pid == root.pid || admitted.withLock({ $0[pid] != nil }) { return true }
        return handle(for: pid) != nil
    }

    public func handle(for pid: Int32) -> ProcessHandle? {
        if pid == root.pid { return root }
        let known = admitted.withLock { $0[pid] }
        if let known, !known.hasExited { return known }
        // New, or the process known under this pid exited: the pid may name another process now.
        if let fresh = try? ProcessHandle(pid: pid), isBelowRoot(pid), !fresh.hasExited {
            admitted.withLock { table in
                if table.count >= Self.capacity { table = table.filter { !$0.value.hasExited } }
                if table.count < Self.capacity { table[pid] = fresh }
            }
            return fresh
        }
        return known
    }

    public func forget(_ handle: ProcessHandle) {
        admitted.withLock { table in
            if table[handle.pid] === handle { table[handle.pid] = nil }
        }
    }

    private func isBelowRoot(_ pid: Int32) -> Bool {
        // Once the root is gone its pid may be reused (as a parent, a group's or
        // a session's id): only processes admitted before then are believed.
        guard !root.hasExited else { return false }
        var current = pid
        for _ in 0..<Self.maxDepth {
            guard let parentage = proc.parentage(of: current).value else { return false }
            if parentage.parentPID == root.pid || parentage.processGroup == root.pid || parentage.session == root.pid {
                return true
            }
            if parentage.parentPID <= 1 { return false }
            current = parentage.parentPID
        }
        return false
    }
}
