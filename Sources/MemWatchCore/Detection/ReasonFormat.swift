/// Number formats for verdict reasons and reports: short, fixed precision,
/// locale-free (reasons land in logs and JSON).
enum ReasonFormat {
    static let bytesPerMB = 1024.0 * 1024.0

    /// `48.2 MB`
    static func megabytes(_ bytes: Double) -> String { fixed(bytes / bytesPerMB, digits: 1) + " MB" }
    static func megabytes(_ bytes: Int64) -> String { megabytes(Double(bytes)) }

    /// `68.9 MB/min`
    static func rate(_ bytesPerSecond: Double) -> String {
        fixed(bytesPerSecond * 60 / bytesPerMB, digits: 1) + " MB/min"
    }

    /// `42 s`, `12 min`, `3.5 h`, `2.1 d`.
    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: return fixed(seconds, digits: 0) + " s"
        case ..<7200: return fixed(seconds / 60, digits: 0) + " min"
        case ..<172_800: return fixed(seconds / 3600, digits: 1) + " h"
        default: return fixed(seconds / 86400, digits: 1) + " d"
        }
    }

    /// The projection clause shared by the detectors, e.g. "at this rate the
    /// 2048 MB heap limit is reached in ~29 min"; nil when it cannot be said.
    static func projection(limit: Int64?, used: Int64, bytesPerSecond: Double) -> (text: String, seconds: Double)? {
        guard let limit, bytesPerSecond > 0 else { return nil }
        let limitText = fixed(Double(limit) / bytesPerMB, digits: 0) + " MB heap limit"
        guard used < limit else { return ("the \(limitText) is already reached", 0) }
        let seconds = Double(limit - used) / bytesPerSecond
        return ("at this rate the \(limitText) is reached in ~\(duration(seconds))", seconds)
    }

    /// Rounds half away from zero to `digits` decimals without Foundation's locale.
    static func fixed(_ value: Double, digits: Int) -> String {
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
}
