import Glibc
import ServiceLifecycle
import UnixSignals

/// The user's command as a swift-service-lifecycle `Service`: ``run()``
/// starts the ``Supervisor``, passes on the signals memwatchd receives, and
/// returns once the child exited and its output is drained. A graceful
/// shutdown or a cancellation stops the app with the ``TeardownSequence``,
/// and `run()` still returns only when the app's group is empty.
///
/// SIGINT and SIGTERM belong to the ServiceGroup (its graceful shutdown
/// signals), but the app must get the one memwatchd received, and the
/// graceful shutdown does not say which. So they are trapped here too
/// (libdispatch hands each signal to every source trapping it), and this
/// trap is what stops the app, with the signal received. The graceful
/// shutdown the same signal begins may reach ``run()`` before or after the
/// trap does: either way it waits for the trap's record (``ReceivedStopSignal``)
/// and, finding a signal, leaves the stop to the trap, so the app gets the
/// signal once. Only a shutdown no signal began (another service ended
/// the group) finds none within ``signalArrival`` and stops the app with
/// SIGTERM. Later SIGINTs and SIGTERMs during the stop are passed on.
public struct SupervisedCommand: Service {
    public let supervisor: Supervisor
    private let stopSignal = ReceivedStopSignal()

    /// How long a graceful shutdown waits for the signal that may have begun
    /// it: far longer than the trap takes to see that signal too.
    static let signalArrival = Duration.seconds(1)

    public init(_ supervisor: Supervisor) {
        self.supervisor = supervisor
    }

    public func run() async {
        let signals = await UnixSignalsSequence(trapping: Self.trapped(pty: supervisor.usesPty))
        // Only now, with every handler in place, may the app's output (its
        // "ready", say) reach whoever will then signal memwatchd.
        supervisor.start()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await handle(signals) }
            group.addTask { await stopOnShutdownNoSignalBegan() }
            await withTaskCancellationHandler {
                _ = await supervisor.exit()
            } onCancel: {
                supervisor.stop(sending: SIGTERM)
            }
            group.cancelAll()
        }
    }

    static func trapped(pty: Bool) -> [UnixSignal] {
        [.sigint, .sigterm, .sighup, .sigquit, .sigusr1] + (pty ? [.sigwinch] : [])
    }

    private func handle(_ signals: UnixSignalsSequence) async {
        for await signal in signals {
            switch signal {
            case .sigint, .sigterm:
                stopSignal.record(signal.rawValue)
                supervisor.stop(sending: signal.rawValue)
            default:
                supervisor.passOn(signal.rawValue)
            }
        }
    }

    private func stopOnShutdownNoSignalBegan() async {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the command ended first
        }
        if await stopSignal.first(waitingAtMost: Self.signalArrival) == nil {
            supervisor.stop(sending: SIGTERM)
        }
    }
}
