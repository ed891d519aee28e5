import CSystemd

/// Signals through the process's pidfd (`pidfd_send_signal`), never by bare pid.
public struct PidfdSignaller: ProcessSignaller {
    public init() {}

    public func send(_ signal: Int32, to process: ProcessHandle) -> SignalDelivery {
        do {
            try SystemCall.value { memwatch_pidfd_send_signal(process.descriptor, signal) }
            return .delivered
        } catch {
            return error == .noSuchProcess ? .processExited : .failed(error)
        }
    }
}
