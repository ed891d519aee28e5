import Glibc
import SystemPackage

/// A pty pair for the app, so it sees a terminal (colours, `isTTY`, line
/// buffering) while memwatchd reads everything it prints.
///
/// Opened through /dev/ptmx because glibc's `posix_openpt`/`openpty` are not
/// visible to Swift here; the ioctl numbers are Linux's generic ones.
public struct Pseudoterminal: Sendable {
    /// memwatchd's end: reads the app's output, takes its input.
    public let master: Int32
    /// Path of the app's end, e.g. `/dev/pts/3`.
    public let slavePath: String

    static let TIOCGPTN: UInt = 0x8004_5430
    static let TIOCSPTLCK: UInt = 0x4004_5431

    public init() throws(SupervisorError) {
        let master: Int32
        do {
            master = try SystemCall.value { open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC) }
        } catch {
            throw .system("open /dev/ptmx", error)
        }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        do {
            try SystemCall.value { ioctl(master, Self.TIOCSPTLCK, &unlock) }
            try SystemCall.value { ioctl(master, Self.TIOCGPTN, &number) }
        } catch {
            close(master)
            throw .system("unlock pty", error)
        }
        self.master = master
        self.slavePath = "/dev/pts/\(number)"
    }

    /// Gives the app's terminal the size of `terminal` (memwatchd's own);
    /// the kernel sends the app SIGWINCH when it changes.
    public func copyWindowSize(from terminal: Int32) {
        var size = winsize()
        if (try? SystemCall.value { ioctl(terminal, UInt(TIOCGWINSZ), &size) }) != nil {
            _ = try? SystemCall.value { ioctl(master, UInt(TIOCSWINSZ), &size) }
        }
    }
}
