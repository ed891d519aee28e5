import Foundation

/// Quantities as people read them, the one place alerts, skip reasons and
/// `memwatchd events` format sizes and durations.
///
/// Sizes use binary units labelled the way V8's GC trace labels them
/// (`MB` = 2^20 bytes), so a figure in an alert matches the trace beside it.
public enum HumanReadable {
    public static func bytes(_ count: Int64) -> String {
        let magnitude = abs(count)
        if magnitude < 1024 { return "\(count) B" }
        let units = ["KB", "MB", "GB", "TB", "PB"]
        var value = Double(count) / 1024
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let digits = abs(value) < 99.95 ? "%.1f" : "%.0f"
        return String(format: digits, value) + " " + units[unit]
    }

    public static func seconds(_ seconds: Double) -> String {
        if seconds < 9.95 { return String(format: "%.1f s", seconds) }
        if seconds < 59.5 { return String(format: "%.0f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60)m \(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h \(String(format: "%02d", whole % 3600 / 60))m"
    }
}
