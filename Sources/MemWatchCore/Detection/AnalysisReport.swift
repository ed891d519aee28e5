/// The outcome of replaying GC logs, in the JSON shape `memwatchd analyze
/// --json` promises (DESIGN.md's CLI contract; extra fields are allowed).
public struct AnalysisReport: Encodable, Sendable, Equatable {
    /// `"leak"` if any isolate leaked, else `"ok"`.
    public var verdict: String
    public var detections: [Detection]
    public var isolates: [Isolate]

    public struct Detection: Encodable, Sendable, Equatable {
        public var pid: Int32
        public var isolate: String
        /// The trace's stamp of the GC line at which the leak was decided.
        public var atMs: Int
        public var detector: String
        public var reason: String
        public var source: String
        public var heapUsedBytes: Int64
        public var growthBytesPerSecond: Double?
        public var heapLimitBytes: Int64?
        public var secondsToLimit: Double?

        enum CodingKeys: String, CodingKey {
            case pid, isolate, atMs = "at_ms", detector, reason, source
            case heapUsedBytes = "heap_used_bytes", growthBytesPerSecond = "growth_bytes_per_second"
            case heapLimitBytes = "heap_limit_bytes", secondsToLimit = "seconds_to_limit"
        }
    }

    public struct Isolate: Encodable, Sendable, Equatable {
        public var pid: Int32
        public var isolate: String
        public var source: String
        public var gcs: Int
        public var scavenges: Int
        public var minorMarkSweeps: Int
        public var fullGCs: Int
        public var firstMs: Int?
        public var lastMs: Int?
        /// Lowest post-GC heap at the start and at the end of the trace.
        public var heapFloorFirstBytes: Int64?
        public var heapFloorLastBytes: Int64?
        public var heapFloorGrowthBytesPerSecond: Double?
        public var peakUsedBytes: Int64
        public var verdict: String
        public var reason: String?
        public var heapLimitReachedAtMs: Int?

        enum CodingKeys: String, CodingKey {
            case pid, isolate, source, gcs, scavenges, minorMarkSweeps = "minor_mark_sweeps", fullGCs = "full_gcs"
            case firstMs = "first_ms", lastMs = "last_ms"
            case heapFloorFirstBytes = "heap_floor_first_bytes", heapFloorLastBytes = "heap_floor_last_bytes"
            case heapFloorGrowthBytesPerSecond = "heap_floor_growth_bytes_per_second"
            case peakUsedBytes = "peak_used_bytes", verdict, reason
            case heapLimitReachedAtMs = "heap_limit_reached_at_ms"
        }
    }

    /// The report over independent sources (one watch per log file).
    public init(sources: [(name: String, watch: LeakWatch)]) {
        detections = sources.flatMap { source in
            source.watch.leaks.map { finding in
                Detection(
                    pid: finding.id.pid, isolate: finding.id.isolateHex, atMs: Self.ms(finding.atMs) ?? 0,
                    detector: finding.detector, reason: finding.reason, source: source.name,
                    heapUsedBytes: finding.heapUsed, growthBytesPerSecond: finding.growthBytesPerSecond,
                    heapLimitBytes: finding.heapLimit, secondsToLimit: finding.secondsToLimit)
            }
        }
        isolates = sources.flatMap { source in
            source.watch.isolates.map { watch in
                let floor = watch.floorTrend
                return Isolate(
                    pid: watch.id.pid, isolate: watch.id.isolateHex, source: source.name,
                    gcs: watch.gcs, scavenges: watch.scavenges, minorMarkSweeps: watch.minorMarkSweeps,
                    fullGCs: watch.fullGCs, firstMs: watch.firstMs.flatMap(Self.ms), lastMs: watch.lastMs.flatMap(Self.ms),
                    heapFloorFirstBytes: floor?.first, heapFloorLastBytes: floor?.last,
                    heapFloorGrowthBytesPerSecond: floor?.bytesPerSecond, peakUsedBytes: watch.peakUsed,
                    verdict: watch.leak == nil ? "ok" : "leak", reason: watch.leak?.reason,
                    heapLimitReachedAtMs: watch.heapLimitBreach.flatMap { Self.ms($0.atMs) })
            }
        }
        verdict = detections.isEmpty ? "ok" : "leak"
    }

    private static func ms(_ value: Double) -> Int? {
        value.isFinite && abs(value) < 1e15 ? Int(value.rounded()) : nil
    }
}
