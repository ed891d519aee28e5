import Logging
import ServiceLifecycle

extension ServiceGroup {
    /// `memwatchd run`'s group: the `watchers` (whatever watches the app),
    /// then the supervised command. SIGTERM and SIGINT shut it down
    /// gracefully, which reaches the services in reverse order: the command
    /// first, so the app is stopped (and its group empty) before any
    /// watcher is told to finish. The command's own end (the app exited,
    /// its output drained) shuts the group down the same way.
    ///
    /// A watcher should run until its graceful shutdown: one that returns
    /// while the command is being stopped ends the group with an error.
    public static func supervising(_ command: SupervisedCommand, watchers: [any Service]) -> ServiceGroup {
        let services = watchers.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
            + [.init(service: command, successTerminationBehavior: .gracefullyShutdownGroup)]
        // The group logs at debug level only: seen with MEMWATCHD_LOG_LEVEL=debug, on stderr.
        return ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: Diagnostics.logger))
    }
}
