/// The clauses verdict reasons share; the numbers in them come from `HumanReadable`.
enum ReasonFormat {
    /// The projection clause shared by the detectors, e.g. "at this rate the
    /// 2048 MB heap limit is reached in ~29 min"; nil when it cannot be said.
    static func projection(limit: Int64?, used: Int64, bytesPerSecond: Double) -> (text: String, seconds: Double)? {
        guard let limit, bytesPerSecond > 0 else { return nil }
        let limitText = HumanReadable.fixed(Double(limit) / HumanReadable.bytesPerMB, digits: 0) + " MB heap limit"
        guard used < limit else { return ("the \(limitText) is already reached", 0) }
        let seconds = Double(limit - used) / bytesPerSecond
        return ("at this rate the \(limitText) is reached in ~\(HumanReadable.duration(seconds))", seconds)
    }
}
