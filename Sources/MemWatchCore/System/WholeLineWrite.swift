#if canImport(Glibc)
import Glibc
#endif

/// Writes a line with one write where the system allows (all of a line
/// shorter than a pipe's buffer goes in one), so lines from concurrent
/// writers never interleave. A failed write drops the rest of the line:
/// there is nowhere left to report it.
enum WholeLineWrite {
    static func write(_ line: String, to descriptor: Int32) {
        let bytes = Array(line.utf8)
        var written = 0
        while written < bytes.count {
            guard let result = try? SystemCall.value({
                bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            }), result > 0 else { return }
            written += result
        }
    }

    /// `\r\n` while `descriptor` is a terminal in raw mode (the app runs on
    /// a pty and memwatchd passes keys through), where a bare newline does not
    /// return the carriage; `\n` otherwise.
    static func lineEnding(for descriptor: Int32) -> String {
        var settings = termios()
        guard isatty(descriptor) == 1, tcgetattr(descriptor, &settings) == 0 else { return "\n" }
        return settings.c_oflag & tcflag_t(OPOST) == 0 ? "\r\n" : "\n"
    }
}
