/// The measurements behind one `TrendDetector` verdict, and the rules that
/// decide whether they make a leak (see `TrendDetector` for why each rule).
struct TrendEvidence: Sendable, Equatable {
    var startFloor: Int64
    var endFloor: Int64
    var growth: Int64 { endFloor - startFloor }
    var fullGCs: Int
    /// False when earlier full GCs vouched for the floors instead (rule 3).
    var confirmedByFullGC: Bool
    var spanSeconds: Double
    var bucketSeconds: Double
    var steps: Int
    var risingSteps: Int
    /// Theil–Sen slope of the retained envelope over the span, bytes/s.
    var slope: Double

    /// The leak evidence in `series` at `nowMs`, or nil if there is none.
    /// Tries spans ending now of doubling length, longest first, so the
    /// reason reports the most evidence and a leak that started late is
    /// still judged on the span since it started.
    static func assess(
        _ series: HeapFloorSeries, nowMs: Double, fromMs: Double, garbage: PromotedGarbage,
        _ config: TrendDetector.Configuration
    ) -> TrendEvidence? {
        let buckets = series.buckets
        let minSpanMs = max(config.minSpanSeconds * 1000, Double(config.minBuckets) * series.widthMs)
        guard let first = buckets.firstIndex(where: { $0.timeMs >= fromMs }),
              buckets.count - first >= config.minBuckets,
              nowMs - buckets[first].timeMs >= minSpanMs,
              let lastFull = buckets.lastIndex(where: { $0.fullGCs > 0 })
        else { return nil }
        let garbageRate = garbage.measuredIntervals >= config.minGarbageIntervals ? garbage.bytesPerSecond : nil
        // Neither a full GC in the span nor a garbage rate to judge without one.
        guard lastFull > first || garbageRate != nil else { return nil }
        let envelope = series.retainedEnvelope(garbage)

        var starts: [Int] = [first]
        var spanMs = minSpanMs
        while spanMs < nowMs - buckets[first].timeMs {
            if let start = buckets.firstIndex(where: { $0.timeMs >= nowMs - spanMs }), start != starts.last {
                starts.append(start)
            }
            spanMs *= 2
        }
        for start in starts.sorted() {
            if let evidence = assess(buckets, envelope, start: start, lastFull: lastFull, garbageRate: garbageRate,
                                     nowMs: nowMs, widthMs: series.widthMs, config) {
                return evidence
            }
        }
        return nil
    }

    private static func assess(
        _ buckets: [HeapFloorSeries.Bucket], _ envelope: [Int64], start: Int, lastFull: Int, garbageRate: Double?,
        nowMs: Double, widthMs: Double, _ config: TrendDetector.Configuration
    ) -> TrendEvidence? {
        let end = buckets.count - 1
        let spanMs = nowMs - buckets[start].timeMs
        guard spanMs >= max(config.minSpanSeconds * 1000, Double(config.minBuckets) * widthMs),
              end - start + 1 >= config.minBuckets
        else { return nil }

        let base = envelope[start]
        let needed = config.leakWorth(from: base)
        let confirmedByFullGC = lastFull > start
            && buckets[lastFull].timeMs - buckets[start].timeMs
                >= max(config.minConfirmedShare * spanMs, config.minSpanSeconds * 1000 / 2)
            && envelope[lastFull] - base >= needed
        if !confirmedByFullGC {
            // Or, when V8 runs no full GC for long (Node 24 may wait 40 s while
            // a leak grows), by the full GCs before: if they showed that next
            // to none of what reached old space was garbage, a floor that keeps
            // rising is kept memory too. Asked of a span twice the minimum, so
            // that slowing growth has time to show (rules 5 and 6).
            let growth = envelope[end] - base
            guard let garbageRate, spanMs >= config.unconfirmedSpanFactor * config.minSpanSeconds * 1000,
                  growth >= config.unconfirmedGrowthFactor * needed,
                  garbageRate < config.maxGarbageShareOfGrowth * Double(growth) / (spanMs / 1000)
            else { return nil }
        }

        // Rule 4: steady.
        let steps = end - start
        let rising = (start..<end).count { envelope[$0 + 1] > envelope[$0] }
        guard Double(rising) >= config.minRisingFraction * Double(steps) else { return nil }

        // Rule 5: not slowing.
        let points = (start...end).map { (x: buckets[$0].timeMs / 1000, y: Double(envelope[$0])) }
        let middle = points.startIndex + points.count / 2
        guard let late = RobustStatistics.theilSenSlope(points[middle...]), late > 0,
              let early = RobustStatistics.theilSenSlope(points[...middle]),
              early <= 0 || late >= config.minLateToEarlySlope * early,
              let slope = RobustStatistics.theilSenSlope(points[...]), slope > 0
        else { return nil }

        return TrendEvidence(
            startFloor: base, endFloor: envelope[end],
            fullGCs: buckets[start...end].reduce(0) { $0 + $1.fullGCs }, confirmedByFullGC: confirmedByFullGC,
            spanSeconds: spanMs / 1000, bucketSeconds: widthMs / 1000,
            steps: steps, risingSteps: rising, slope: slope)
    }
}
