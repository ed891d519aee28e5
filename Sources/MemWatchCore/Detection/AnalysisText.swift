/// The human-readable form of `memwatchd analyze`: per isolate, a table row
/// (GCs by kind, heap floor first → last, growth rate, verdict), the reason,
/// and sparklines of the post-GC heap over the trace.
public enum AnalysisText {
    public static func render(sources: [(name: String, watch: LeakWatch)]) -> String {
        var table = TextTable(["SOURCE", "ISOLATE", "SCAV/MINOR/FULL", "HEAP FLOOR", "GROWTH", "VERDICT"].map { .left($0) })
        var details: [String] = []
        var leaks = 0
        var count = 0
        for source in sources {
            for watch in source.watch.isolates {
                count += 1
                let floor = watch.floorTrend
                table.rows.append([
                    source.name,
                    watch.id.description,
                    "\(watch.scavenges)/\(watch.minorMarkSweeps)/\(watch.fullGCs)",
                    floor.map { "\(HumanReadable.megabytes($0.first)) → \(HumanReadable.megabytes($0.last))" } ?? "-",
                    floor?.bytesPerSecond.map { ($0 >= 0 ? "+" : "") + HumanReadable.rate($0) } ?? "-",
                    watch.leak.map { "LEAK at \(HumanReadable.fixed($0.atMs / 1000, digits: 1)) s" } ?? "ok",
                ])
                var lines = ["\(source.name) \(watch.id):"]
                if let leak = watch.leak { lines.append("  \(leak.detector): \(leak.reason)") }
                if let breach = watch.heapLimitBreach {
                    lines.append("  heap limit: \(breach.reason) at \(HumanReadable.fixed(breach.atMs / 1000, digits: 1)) s")
                }
                lines += chartLines(watch)
                details.append(lines.joined(separator: "\n"))
                if watch.leak != nil { leaks += 1 }
            }
        }
        guard count > 0 else { return "no GC trace lines found (run node with --trace-gc)\n" }
        let summary = leaks == 0
            ? "verdict: ok (no leak in \(count) isolate\(count == 1 ? "" : "s"))"
            : "verdict: LEAK in \(leaks) of \(count) isolate\(count == 1 ? "" : "s")"
        return table.text + "\n" + details.joined(separator: "\n\n") + "\n\n" + summary + "\n"
    }

    /// Two sparklines on one scale: the lowest and the highest post-GC heap
    /// of each time bucket.
    private static func chartLines(_ watch: IsolateWatch) -> [String] {
        let buckets = watch.chart.buckets
        guard let top = buckets.compactMap({ $0?.high }).max(), top > 0,
              let first = watch.firstMs, let last = watch.lastMs
        else { return [] }
        let levels = Array("▁▂▃▄▅▆▇█")
        func spark(_ value: (HeapChart.Bucket) -> Int64) -> String {
            String(buckets.map { bucket -> Character in
                guard let bucket else { return " " }
                let level = Int(Double(value(bucket)) / Double(top) * Double(levels.count - 1))
                return levels[max(0, min(levels.count - 1, level))]
            })
        }
        let span = "\(HumanReadable.fixed(first / 1000, digits: 1))–\(HumanReadable.fixed(last / 1000, digits: 1)) s"
        return [
            "  post-GC heap, \(span), 0 … \(HumanReadable.megabytes(top)):",
            "    floor |\(spark(\.low))|",
            "    peak  |\(spark(\.high))|",
        ]
    }
}
