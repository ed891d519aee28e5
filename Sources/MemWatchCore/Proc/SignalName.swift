#if canImport(Glibc)
import Glibc
#endif

/// Signal names as node's `--heapsnapshot-signal` takes them and as messages
/// print them: `SIGUSR2` ↔ 12.
public enum SignalName {
    static let numbersByName: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "USR1": SIGUSR1, "USR2": SIGUSR2,
        "TERM": SIGTERM, "PIPE": SIGPIPE, "ALRM": SIGALRM, "WINCH": SIGWINCH, "TTIN": SIGTTIN,
        "TTOU": SIGTTOU, "PROF": SIGPROF, "URG": SIGURG, "XCPU": SIGXCPU, "XFSZ": SIGXFSZ,
    ]

    /// `SIGUSR2`, `USR2` or `12` → 12; nil for a name it does not know.
    public static func number(_ name: String) -> Int32? {
        if let number = Int32(name) { return number }
        return numbersByName[name.hasPrefix("SIG") ? String(name.dropFirst(3)) : name]
    }

    /// 12 → `SIGUSR2`; a signal without a name here → `signal 40`.
    public static func of(_ signal: Int32) -> String {
        numbersByName.first { $0.value == signal }.map { "SIG" + $0.key } ?? "signal \(signal)"
    }
}
