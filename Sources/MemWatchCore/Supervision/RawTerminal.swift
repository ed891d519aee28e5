import Glibc
import Synchronization

/// Puts a terminal in raw mode and gives back its old settings.
///
/// With the app on a pty, memwatchd's own terminal must pass every key
/// through untouched (Ctrl-C becomes a byte the pty turns into SIGINT for the
/// app), so it is raw while the app runs and restored afterwards.
public final class RawTerminal: Sendable {
    private let fd: Int32
    private let saved: termios
    private let restored = Mutex(false)

    /// Nil when `fd` is not a terminal.
    public init?(fd: Int32) {
        var settings = termios()
        guard isatty(fd) == 1, tcgetattr(fd, &settings) == 0 else { return nil }
        self.fd = fd
        self.saved = settings
        var raw = settings
        // Output processing goes too: the app's pty already turned "\n" into
        // "\r\n". (memwatchd's own stderr lines on this terminal need "\r\n".)
        cfmakeraw(&raw)
        tcsetattr(fd, TCSAFLUSH, &raw)
    }

    /// Puts the old settings back; later calls do nothing.
    public func restore() {
        let first = restored.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var settings = saved
        tcsetattr(fd, TCSAFLUSH, &settings)
    }

    deinit { restore() }
}

