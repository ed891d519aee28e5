import Glibc

/// One step of stopping a process group: send a signal, then allow the
/// group some time to end before the next step (swift-subprocess's
/// `TeardownStep`, for a group).
public struct TeardownStep: Sendable, Equatable {
    public let signal: Int32
    public let allowed: Duration

    public static func send(_ signal: Int32, allowing allowed: Duration) -> TeardownStep {
        TeardownStep(signal: signal, allowed: allowed)
    }
}

/// How memwatchd stops the app's process group, as data: the steps are
/// taken in order until the group is empty.
public struct TeardownSequence: Sendable, Equatable {
    /// What a run of the sequence did, in order.
    public enum Event: Sendable, Equatable {
        /// A step's signal went to the group.
        case sent(Int32)
        /// A step's allowance passed with the group still running.
        case outlasted(Duration)
        /// No process of the group runs any more.
        case emptied
    }

    public var steps: [TeardownStep]

    public init(_ steps: [TeardownStep]) { self.steps = steps }

    /// The stop signal memwatchd received, `grace` (`--stop-timeout`), then
    /// SIGKILL and a few seconds for the kernel to end what is left.
    public static func stop(sending signal: Int32, grace: Duration) -> TeardownSequence {
        TeardownSequence([.send(signal, allowing: grace), .send(SIGKILL, allowing: .seconds(5))])
    }

    /// Takes the steps against `group` until it is empty or the steps run
    /// out; returns what it did.
    @discardableResult
    public func run(on group: ProcessGroup, loop: EventLoop = .shared) async -> [Event] {
        var events: [Event] = []
        for step in steps {
            guard group.signal(step.signal) else { return events + [.emptied] }
            events.append(.sent(step.signal))
            if await group.waitUntilEmpty(within: step.allowed, on: loop) { return events + [.emptied] }
            events.append(.outlasted(step.allowed))
        }
        return events
    }
}
