/// memwatch's rule, the baseline users know: the heap after a full GC is
/// higher than after the previous full GC, `requiredGrowths` times in a row.
///
/// Only full GCs count (a scavenge leaves old-space garbage in the figure),
/// so a slow leak in a big heap, where full GCs are minutes apart, is caught
/// late; `TrendDetector` is the default for that reason.
public struct ConsecutiveGrowthDetector: LeakDetector {
    public static let name = "consecutive-growth"

    public let requiredGrowths: Int
    public let heapLimit: Int64?
    /// Post-full-GC heap and stamp of the last full GC, and of the first of
    /// the current run of growths.
    private var last: (timeMs: Double, used: Int64)?
    private var runStart: (timeMs: Double, used: Int64)?
    private var growths = 0

    public init(requiredGrowths: Int = 5, heapLimit: Int64? = nil) {
        precondition(requiredGrowths > 0)
        self.requiredGrowths = requiredGrowths
        self.heapLimit = heapLimit
    }

    public mutating func observe(_ event: GCEvent) -> Verdict {
        guard event.kind.isFull else { return .noLeak }
        let current = (timeMs: event.timeMs, used: event.usedAfter)
        defer { last = current }
        guard let previous = last, current.used > previous.used else {
            growths = 0
            return .noLeak
        }
        if growths == 0 { runStart = previous }
        growths += 1
        guard growths >= requiredGrowths, let start = runStart else { return .noLeak }

        let seconds = (current.timeMs - start.timeMs) / 1000
        let grown = current.used - start.used
        let rate = seconds > 0 ? Double(grown) / seconds : nil
        var reason = "heap after full GC grew \(growths) times in a row, "
            + "\(HumanReadable.megabytes(start.used)) → \(HumanReadable.megabytes(current.used)) "
            + "in \(HumanReadable.duration(seconds))"
        if let rate { reason += " (\(HumanReadable.rate(rate)))" }
        let projection = rate.flatMap { ReasonFormat.projection(limit: heapLimit, used: current.used, bytesPerSecond: $0) }
        if let projection { reason += "; " + projection.text }
        return .leak(LeakFinding(
            detector: Self.name, id: event.id, atMs: event.timeMs, reason: reason,
            heapUsed: current.used, growthBytesPerSecond: rate,
            heapLimit: projection == nil ? nil : heapLimit, secondsToLimit: projection?.seconds))
    }
}
