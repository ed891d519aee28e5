import Foundation
import Glibc
import Testing

@testable import MemWatchCore

/// The stop sequence against real `sh` and `sleep` processes in a group of
/// their own: which steps it takes, in order, and that nothing is left.
@Suite struct SupervisionTeardownTests {
    /// `sh -c script` in its own process group, once it printed `ready`.
    /// (Its stderr is not the test's: a process left behind would hold
    /// that pipe open, and the test run with it.)
    static func group(running script: String) throws -> ChildProcess {
        let child = try ChildProcess(
            argv: ["sh", "-c", "exec 2>/dev/null; " + script], environment: ProcessInfo.processInfo.environment, output: .pipe)
        var seen = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 256)
        while !String(decoding: seen, as: UTF8.self).contains("ready\n") {
            let count = read(child.outputFD, &buffer, buffer.count)
            guard count > 0 else { break }
            seen += buffer[0..<count]
        }
        return child
    }

    static let grace = Duration.milliseconds(200)

    @Test func aGroupThatEndsOnTheStopSignalTakesOneStep() async throws {
        // `exec`: a `sleep` forked by the shell could take the SIGINT in the
        // moment between fork and exec, in the shell's handler, and live on.
        let child = try Self.group(running: "echo ready; exec sleep 300")
        let events = await TeardownSequence.stop(sending: SIGINT, grace: .seconds(60)).run(on: child.processGroup)
        #expect(events == [.sent(SIGINT), .emptied])
        #expect(await child.exit() == .killed(signal: SIGINT))
        #expect(ProcReader().members(ofProcessGroup: child.processGroup.id) == [])
    }

    @Test func aGroupIgnoringTheStopSignalEndsOnlyBySIGKILL() async throws {
        // The ignored disposition passes on to `sleep`: both outlast SIGTERM.
        let child = try Self.group(running: "trap '' TERM; sleep 300 & echo ready; wait")
        let events = await TeardownSequence.stop(sending: SIGTERM, grace: Self.grace).run(on: child.processGroup)
        #expect(events == [.sent(SIGTERM), .outlasted(Self.grace), .sent(SIGKILL), .emptied])
        #expect(await child.exit() == .killed(signal: SIGKILL))
        #expect(ProcReader().members(ofProcessGroup: child.processGroup.id) == [])
    }

    /// On SIGTERM the shell starts another `sleep` and exits: the members
    /// first found are all gone, the group is not empty.
    @Test func aMemberForkedDuringTheStopIsFoundByTheRescan() async throws {
        let child = try Self.group(running: "trap 'sleep 300 & exit 0' TERM; sleep 300 & echo ready; wait")
        let events = await TeardownSequence.stop(sending: SIGTERM, grace: Self.grace).run(on: child.processGroup)
        #expect(events == [.sent(SIGTERM), .outlasted(Self.grace), .sent(SIGKILL), .emptied])
        #expect(await child.exit() == .exited(code: 0))
        #expect(ProcReader().members(ofProcessGroup: child.processGroup.id) == [])
    }

    @Test func anEmptyGroupIsLeftAlone() async throws {
        let child = try Self.group(running: "echo ready")
        #expect(await child.exit() == .exited(code: 0))
        let events = await TeardownSequence.stop(sending: SIGTERM, grace: Self.grace).run(on: child.processGroup)
        #expect(events == [.emptied])
    }

    /// The Supervisor stops with the signal it is given; its exit waits
    /// for the group to be empty.
    @Test func theSupervisorsStopSendsItsSignalFirst() async throws {
        var options = Supervisor.Options()
        options.terminal = .pipe
        options.outputFD = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(options.outputFD) }
        let supervisor = try Supervisor(
            argv: ["sh", "-c", "sleep 300"], environment: ProcessInfo.processInfo.environment, options: options)
        supervisor.start()
        supervisor.stop(sending: SIGINT)
        #expect(await supervisor.exit() == .killed(signal: SIGINT))
        #expect(ProcReader().members(ofProcessGroup: supervisor.pid) == [])
    }
}

@Suite struct ReceivedStopSignalTests {
    @Test func aWaiterFindsTheFirstSignalRecordedBeforeOrAfterItBegan() async {
        let before = ReceivedStopSignal()
        before.record(SIGINT)
        before.record(SIGTERM)
        #expect(await before.first(waitingAtMost: .seconds(60)) == SIGINT)

        let after = ReceivedStopSignal()
        async let found = after.first(waitingAtMost: .seconds(60))
        after.record(SIGTERM)
        #expect(await found == SIGTERM)
    }

    @Test func noSignalWithinTheWaitIsNil() async {
        #expect(await ReceivedStopSignal().first(waitingAtMost: .milliseconds(10)) == nil)
    }
}
