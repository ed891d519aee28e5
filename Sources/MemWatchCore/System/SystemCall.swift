import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The one way memwatchd makes a system call: one interrupted by a signal
/// (EINTR) is made again here, and a failure comes out as swift-system's
/// `Errno`, so no caller loops on EINTR or reads `errno` itself.
///
/// `close` is not for this: Linux frees the descriptor even when close fails
/// with EINTR, so calling it again could close one another thread just opened.
public enum SystemCall {
    /// A call that returns -1 and sets `errno` when it fails (open, read,
    /// poll, fstat, ...); its result otherwise.
    @discardableResult
    public static func value<Result: FixedWidthInteger & SignedInteger>(_ call: () -> Result) throws(Errno) -> Result {
        while true {
            let result = call()
            if result != -1 { return result }
            let failure = Errno.last
            if failure != .interrupted { throw failure }
        }
    }

    /// A call that returns nil and sets `errno` when it fails (opendir, realpath).
    public static func pointer<Pointer>(_ call: () -> Pointer?) throws(Errno) -> Pointer {
        while true {
            if let result = call() { return result }
            let failure = Errno.last
            if failure != .interrupted { throw failure }
        }
    }

    /// A call that returns the error number itself, 0 on success (posix_spawn).
    public static func status(_ call: () -> Int32) throws(Errno) {
        while true {
            let result = call()
            if result == 0 { return }
            if result != EINTR { throw Errno(rawValue: result) }
        }
    }
}

extension Errno {
    /// What the last failed call left in `errno`.
    static var last: Errno { Errno(rawValue: errno) }
}
