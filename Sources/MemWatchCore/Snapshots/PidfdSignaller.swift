import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Signals through the process's pidfd (`pidfd_send_signal`), never by bare pid.
public struct PidfdSignaller: ProcessSignaller {
    public init() {}

    public func send(_ signal: Int32, to process: ProcessHandle) -> SignalDelivery {
        if memwatch_pidfd_send_signal(process.descriptor, signal) == 0 { return .delivered }
        return errno == ESRCH ? .processExited : .failed(errno: errno)
    }
}
