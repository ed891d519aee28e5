/// Quantities as people read them: the one place verdict reasons, alerts,
/// skip reasons and `memwatchd events` format sizes, rates and durations.
/// Locale-free, since the text lands in logs and JSON.
///
/// Sizes use binary units labelled the way V8's GC trace labels them
/// (`MB` = 2^20 bytes), so a figure in an alert matches the trace beside it.
public enum HumanReadable {
    public static let bytesPerMB = 1024.0 * 1024.0

    /// `48.2 MB`, whatever the size: figures in one reason compare at a glance.
    public static func megabytes(_ bytes: Double) -> String { fixed(bytes / bytesPerMB, digits: 1) + " MB" }
    public static func megabytes(_ bytes: Int64) -> String { megabytes(Double(bytes)) }

    /// `68.9 MB/min`
    public static func rate(_ bytesPerSecond: Double) -> String {
        fixed(bytesPerSecond * 60 / bytesPerMB, digits: 1) + " MB/min"
    }

    /// A span in whole units: `42 s`, `12 min`, `3.5 h`, `2.1 d`.
    public static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: return fixed(seconds, digits: 0) + " s"
        case ..<7200: return fixed(seconds / 60, digits: 0) + " min"
        case ..<172_800: return fixed(seconds / 3600, digits: 1) + " h"
        default: return fixed(seconds / 86400, digits: 1) + " d"
        }
    }

    /// Rounds half away from zero to `digits` decimals without Foundation's locale.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return String(value) }
        let whole = Int64(scaled / scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        let frac = Int64(scaled) - whole * Int64(scale)
        let fracText = String(frac)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fracText.count) + fracText
    }

    /// A size in the unit that suits it: `512 B`, `37.1 KB`, `121 MB`, `-1.2 GB`;
    /// the one byte format of alerts, events and `memwatchd heap`.
    ///
    /// 1024-based and labelled `KB`, as V8's GC trace is, so a size agrees with
    /// the trace and with `megabytes` in the same reason. Not DevTools' `kB`:
    /// that is SI (1000 bytes), and 1024-based figures under it would mislead.
    public static func bytes(_ count: some BinaryInteger) -> String {
        let count = Int64(clamping: count)
        if count.magnitude < 1024 { return "\(count) B" }
        let units = ["KB", "MB", "GB", "TB", "PB"]
        var value = Double(count) / 1024
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return fixed(value, digits: abs(value) < 99.95 ? 1 : 0) + " " + units[unit]
    }

    /// How long something took: `2.3 s`, `42 s`, `3m 05s`, `1h 02m`.
    public static func seconds(_ seconds: Double) -> String {
        if seconds < 9.95 { return fixed(seconds, digits: 1) + " s" }
        if seconds < 59.5 { return fixed(seconds, digits: 0) + " s" }
        let whole = Int(seconds.rounded())
        let twoDigits = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        if whole < 3600 { return "\(whole / 60)m \(twoDigits(whole % 60))s" }
        return "\(whole / 3600)h \(twoDigits(whole % 3600 / 60))m"
    }
}
