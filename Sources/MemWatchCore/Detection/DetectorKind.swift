/// The detectors a user can pick (`--detector`), by their stable names.
public enum DetectorKind: String, Sendable, CaseIterable, Codable {
    case trend
    case consecutiveGrowth = "consecutive-growth"

    /// A fresh detector of this kind for one isolate.
    public func make(heapLimit: Int64?) -> any LeakDetector {
        switch self {
        case .trend: TrendDetector(heapLimit: heapLimit)
        case .consecutiveGrowth: ConsecutiveGrowthDetector(heapLimit: heapLimit)
        }
    }
}
