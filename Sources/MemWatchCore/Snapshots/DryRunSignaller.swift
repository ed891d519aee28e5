import Logging

/// `--dry-run`: logs the signal it would send and sends nothing.
public struct DryRunSignaller: ProcessSignaller {
    let logger: Logger

    public init(logger: Logger = Diagnostics.logger) {
        self.logger = logger
    }

    public var isDryRun: Bool { true }

    public func send(_ signal: Int32, to process: ProcessHandle) -> SignalDelivery {
        logger.notice("dry run: would send \(SignalName.of(signal)) to pid \(process.pid)")
        return .simulated
    }
}
