import Logging
#if canImport(Glibc)
import Glibc
#endif

/// memwatchd's own diagnostics: what it notices about itself and its input,
/// as `memwatchd: ...` lines on stderr. Not a channel for alerts or events:
/// those go through `EventReporter` and an `AlertSink`, whatever the level.
///
/// The loggers are made with their handler rather than through
/// `LoggingSystem.bootstrap`, which a process may call only once: the library,
/// its tests and every command get the same lines without a setup step.
public enum Diagnostics {
    /// Lines quieter than this are dropped: `MEMWATCHD_LOG_LEVEL` (trace,
    /// debug, info, notice, warning, error, critical), `notice` without it.
    public static let level: Logger.Level = getenv("MEMWATCHD_LOG_LEVEL")
        .flatMap { Logger.Level(rawValue: String(cString: $0).lowercased()) } ?? .notice

    /// `memwatchd: ...`
    public static let logger = logger(label: "memwatchd")

    /// `label: ...`, for a command's own lines (`memwatchd analyze: ...`).
    public static func logger(label: String) -> Logger {
        var logger = Logger(label: label) { DiagnosticLineHandler(label: $0) }
        logger.logLevel = level
        return logger
    }
}
