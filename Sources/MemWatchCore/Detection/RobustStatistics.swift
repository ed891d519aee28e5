/// Outlier-resistant estimators for short heap series: one stray GC figure
/// (a late scavenge, a batch in flight) must not move a verdict.
enum RobustStatistics {
    /// Median of the values; nil when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Theil–Sen slope (the median of all pairwise slopes) of `(x, y)` points,
    /// in y units per x unit; nil with fewer than two distinct x. Unlike least
    /// squares it ignores up to ~29% of wild points.
    static func theilSenSlope(_ points: ArraySlice<(x: Double, y: Double)>) -> Double? {
        var slopes: [Double] = []
        slopes.reserveCapacity(points.count * (points.count - 1) / 2)
        var i = points.startIndex
        while i < points.endIndex {
            var j = i + 1
            while j < points.endIndex {
                let dx = points[j].x - points[i].x
                if dx > 0 { slopes.append((points[j].y - points[i].y) / dx) }
                j += 1
            }
            i += 1
        }
        return median(slopes)
    }
}
