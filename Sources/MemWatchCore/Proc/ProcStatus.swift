/// What `/proc/PID/status` says about a process's memory and signals.
public struct ProcStatus: Sendable, Equatable {
    public var pid: Int32
    public var parentPID: Int32
    public var name: String
    /// One letter: R, S, D, Z, T, ...
    public var state: Character
    public var threads: Int
    /// Resident set in bytes (`VmRSS`), split into anonymous, file-backed and
    /// shared-memory pages. Kernel threads and zombies print none: 0.
    public var rss: Int64
    public var rssAnon: Int64
    public var rssFile: Int64
    public var rssShmem: Int64
    /// Peak resident set (`VmHWM`), bytes.
    public var rssPeak: Int64
    /// Signals the process has a handler for (`SigCgt`).
    public var caughtSignals: SignalSet
    /// Signals the process ignores (`SigIgn`).
    public var ignoredSignals: SignalSet

    public init(
        pid: Int32, parentPID: Int32, name: String, state: Character, threads: Int,
        rss: Int64, rssAnon: Int64, rssFile: Int64, rssShmem: Int64, rssPeak: Int64,
        caughtSignals: SignalSet, ignoredSignals: SignalSet
    ) {
        self.pid = pid
        self.parentPID = parentPID
        self.name = name
        self.state = state
        self.threads = threads
        self.rss = rss
        self.rssAnon = rssAnon
        self.rssFile = rssFile
        self.rssShmem = rssShmem
        self.rssPeak = rssPeak
        self.caughtSignals = caughtSignals
        self.ignoredSignals = ignoredSignals
    }

    /// True when the process has installed a handler for `signal`, so sending
    /// it does not run the default action (for SIGUSR1 and SIGUSR2: death).
    public func catches(signal: Int32) -> Bool { caughtSignals.contains(signal) }

    public var isZombie: Bool { state == "Z" || state == "X" }

    /// Parses the text of a status file. Nil when a field every process has
    /// (Pid, PPid, SigCgt) is missing: a truncated or foreign file.
    public init?(parsing text: String) {
        var pid: Int32?, ppid: Int32?, caught: SignalSet?
        var name = "", state: Character = "?", threads = 0
        var rss: Int64 = 0, anon: Int64 = 0, file: Int64 = 0, shmem: Int64 = 0, peak: Int64 = 0
        var ignored = SignalSet(mask: 0)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
            switch key {
            case "Name": name = String(value)
            case "State": state = value.first ?? "?"
            case "Pid": pid = Int32(value)
            case "PPid": ppid = Int32(value)
            case "Threads": threads = Int(value) ?? 0
            case "VmRSS": rss = Self.kilobytes(value)
            case "RssAnon": anon = Self.kilobytes(value)
            case "RssFile": file = Self.kilobytes(value)
            case "RssShmem": shmem = Self.kilobytes(value)
            case "VmHWM": peak = Self.kilobytes(value)
            case "SigCgt": caught = SignalSet(hex: value)
            case "SigIgn": ignored = SignalSet(hex: value) ?? ignored
            default: break
            }
        }
        guard let pid, let ppid, let caught else { return nil }
        self.init(
            pid: pid, parentPID: ppid, name: name, state: state, threads: threads,
            rss: rss, rssAnon: anon, rssFile: file, rssShmem: shmem, rssPeak: peak,
            caughtSignals: caught, ignoredSignals: ignored)
    }

    /// `  123456 kB` → bytes.
    private static func kilobytes(_ value: Substring) -> Int64 {
        let digits = value.prefix(while: { $0.isASCII && $0.isNumber })
        return (Int64(digits) ?? 0) * 1024
    }
}
