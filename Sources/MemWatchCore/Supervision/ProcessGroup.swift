import Glibc

/// A process group memwatchd started: signalled as a whole (a node behind
/// `npm start` or `sh -c` gets the signal too), and watched until no process
/// of it runs.
public struct ProcessGroup: Sendable, Equatable {
    /// The group's id: the pid of the process that leads it.
    public let id: Int32

    public init(id: Int32) { self.id = id }

    /// Signals every process in the group. False when none is left.
    @discardableResult
    public func signal(_ number: Int32) -> Bool {
        (try? SystemCall.value { kill(-id, number) }) != nil
    }

    /// Waits until no process of the group runs (zombies do not count), or
    /// `timeout` passes; true when the group is empty.
    ///
    /// One /proc scan finds the members; each is held by a pidfd and its
    /// exit awaited on `loop`, so nothing polls. Once they have all exited
    /// the group is scanned again: one of them may have forked meanwhile.
    public func waitUntilEmpty(within timeout: Duration, on loop: EventLoop = .shared) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let members = heldMembers()
            // Empty twice in a row (see `isEmpty`).
            if members.isEmpty, heldMembers().isEmpty { return true }
            for member in members {
                let left = ContinuousClock.now.duration(to: deadline)
                guard left > .zero, await loop.readable(member.descriptor, timeout: left) == .ready else {
                    // The deadline may have passed while this task waited for
                    // a thread, long after the group ended: look before saying no.
                    return isEmpty()
                }
            }
        }
    }

    /// A scan lists /proc before it reads each member's state: a member that
    /// forks and exits in between leaves its child off the list. That child
    /// exists before the next scan lists /proc, so an empty scan is believed
    /// once the next one agrees.
    private func isEmpty() -> Bool { heldMembers().isEmpty && heldMembers().isEmpty }

    /// The group's live members, each held by a pidfd.
    private func heldMembers() -> [ProcessHandle] {
        let proc = ProcReader()
        return proc.members(ofProcessGroup: id).compactMap { pid -> ProcessHandle? in
            guard let handle = try? ProcessHandle(pid: pid) else { return nil }  // gone already
            // The pid may have been reused between the scan and the pidfd:
            // with the pidfd held, /proc names the process it holds.
            return proc.parentage(of: pid).value?.processGroup == id ? handle : nil
        }
    }
}
