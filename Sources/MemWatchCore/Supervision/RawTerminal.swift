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
        cfmakeraw(&raw)
        // Keep output processing: memwatchd's own lines on stderr still need "\n" → "\r\n".
        raw.c_oflag = settings.c_oflag
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

