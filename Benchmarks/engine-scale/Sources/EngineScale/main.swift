// The watch engine at scale: PROCESSES (200) `sleep 600` children of this
// process, each given a GC trace of RATE (20) lines/s through a TraceSource of
// this benchmark (pre-generated `--trace-gc` lines, their stamps patched in
// place, parsed by GCTraceParser), and a SamplingService at 1 s, for DURATION
// (60) s. Measured in the same run, as references: the same yield loop with
// pre-parsed records dropped by the consumer (the generator alone), the loop
// with the parser and the records dropped, the bare /proc reads of 60 sampler
// rounds and 60 rounds of HostSampler. CPU = getrusage(RUSAGE_SELF) utime +
// stime over each window; RSS from /proc/self/status.
// Env: DURATION=60 REF_DURATION=30 PROCESSES=200 RATE=20 ROUNDS=60
import Foundation
import MemWatchCore
#if canImport(Glibc)
import Glibc
#endif

let env = ProcessInfo.processInfo.environment
let duration = Double(env["DURATION"] ?? "") ?? 60
let referenceDuration = Double(env["REF_DURATION"] ?? "") ?? min(duration, 30)
let processCount = Int(env["PROCESSES"] ?? "") ?? 200
let rate = Double(env["RATE"] ?? "") ?? 20
let rounds = Int(env["ROUNDS"] ?? "") ?? 60
/// Which measurements to make (all by default): proc, textparse, sampler, generator, parser, nosampler, engine.
let phases = Set((env["PHASES"] ?? "proc,textparse,sampler,generator,parser,nosampler,engine").split(separator: ",").map(String.init))
/// Lines per process before its heap pattern repeats (a mark-compact closes each cycle).
let cycle = 80

// MARK: - Children

/// The children's process group, killed at the end and on SIGINT/SIGTERM.
nonisolated(unsafe) var childGroup: pid_t = 0

func spawnSleepers(_ count: Int) -> [pid_t] {
    var pids: [pid_t] = []
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("sleep"), strdup("600"), nil]
    defer { for arg in argv { free(arg) } }
    for _ in 0..<count {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, childGroup)  // 0 for the first: a new group
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, "sleep", nil, &attr, argv, environ)
        posix_spawnattr_destroy(&attr)
        guard rc == 0 else { fatalError("posix_spawnp sleep: \(String(cString: strerror(rc)))") }
        if childGroup == 0 { childGroup = pid }
        pids.append(pid)
    }
    return pids
}

func killChildren(_ pids: [pid_t]) {
    guard childGroup > 0 else { return }
    killpg(childGroup, SIGKILL)
    for pid in pids { var status: Int32 = 0; _ = waitpid(pid, &status, 0) }
    childGroup = 0
}

signal(SIGINT) { _ in if childGroup > 0 { killpg(childGroup, SIGKILL) }; _exit(130) }
signal(SIGTERM) { _ in if childGroup > 0 { killpg(childGroup, SIGKILL) }; _exit(143) }

// MARK: - Measures

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func selfStatus(_ field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}

struct Row {
    var name: String
    var cpu: Double
    var wall: Double
    /// The share of one core, as the work would cost at its real pace.
    var share: Double
    var note: String
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

// MARK: - Trace lines

/// Pre-generated `--trace-gc` lines, `cycle` per process, in one buffer; the
/// 8-character stamp field of each is patched in place before it is yielded.
final class TraceLines: @unchecked Sendable {
    var bytes: [UInt8] = []
    /// Per process, per line of its cycle: start offset, length, stamp field offset.
    var lines: [[(start: Int, count: Int, stamp: Int)]] = []
    /// The same lines parsed once, for the generator-alone reference.
    var parsed: [[GCTraceRecord]] = []
    /// Each process's first stamp (ms): processes started at different times.
    var firstStamp: [Int] = []

    init(pids: [pid_t]) {
        var parser = GCTraceParser()
        for (index, pid) in pids.enumerated() {
            let isolate = 0x5f1e_3c0 + index * 0x1_0000
            let base = 8.0 + Double(index % 40) * 0.75  // live heap after a full GC, MB
            var spans: [(start: Int, count: Int, stamp: Int)] = []
            var records: [GCTraceRecord] = []
            firstStamp.append(1000 + index * 37)
            for j in 0..<cycle {
                let old = base + Double(j) * 0.11  // promoted by scavenges, swept by the mark-compact
                let young = 1.0 + Double((j * 7 + index) % 5) * 0.1
                let line: String
                if j == cycle - 1 {
                    let before = old + young
                    line = String(
                        format: "[%d:0x%x] %8d ms: Mark-Compact %.1f (%.1f) -> %.1f (%.1f) MB, %.2f / 0.00 ms  (average mu = 0.991, current mu = 0.984) allocation failure; scavenge might not succeed\n",
                        pid, isolate, 0, before, before + 4.5, base, base + 3.0, 4.0 + Double(index % 7) * 0.31)
                } else if j % 40 == 20 {
                    line = String(
                        format: "[%d:0x%x] %8d ms: Scavenge (interleaved) %.1f (%.1f) -> %.1f (%.1f) MB, %.2f / 0.00 ms  (average mu = 0.998, current mu = 0.997) task;\n",
                        pid, isolate, 0, old + young, old + 4.0, old + 0.1, old + 5.0, 0.35 + Double(j % 3) * 0.1)
                } else {
                    line = String(
                        format: "[%d:0x%x] %8d ms: Scavenge %.1f (%.1f) -> %.1f (%.1f) MB, %.2f / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure;\n",
                        pid, isolate, 0, old + young, old + 4.0, old + 0.1, old + 5.0, 0.6 + Double(j % 4) * 0.1)
                }
                let utf8 = Array(line.utf8)
                let stampOffset = utf8.firstIndex(of: UInt8(ascii: "]"))! + 2
                spans.append((bytes.count, utf8.count, bytes.count + stampOffset))
                bytes += utf8
                guard let record = utf8.withUnsafeBytes({ parser.parse($0) }), case .gc = record else {
                    fatalError("the parser did not read: \(line)")
                }
                records.append(record)
            }
            lines.append(spans)
            parsed.append(records)
        }
    }

    /// Writes `stamp` right-aligned into the 8-character field at `offset`.
    @inline(__always)
    static func patch(_ buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int, stamp: Int) {
        var value = stamp
        var position = offset + 7
        while position >= offset {
            if value > 0 || position == offset + 7 {
                buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } else {
                buffer[position] = UInt8(ascii: " ")
            }
            position -= 1
        }
    }
}

enum Feed { case preparsed, parsed }

/// Every 1/RATE s, one line of each process, for `seconds`; then the stream ends.
final class BenchSource: TraceSource, @unchecked Sendable {
    let lines: TraceLines
    let feed: Feed
    let seconds: Double
    private(set) var yielded = 0

    init(lines: TraceLines, feed: Feed, seconds: Double) {
        self.lines = lines
        self.feed = feed
        self.seconds = seconds
    }

    /// One batch a tick: the lines the processes wrote since the last, as a
    /// log's or the journal's read brings them.
    func records() -> AsyncStream<[GCTraceRecord]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [GCTraceRecord].self, bufferingPolicy: .unbounded)
        let (lines, feed, seconds) = (lines, feed, seconds)
        Task {
            var parser = GCTraceParser()
            let clock = ContinuousClock()
            let start = clock.now
            let period = Duration.nanoseconds(Int64(1e9 / rate))
            let ticks = Int(seconds * rate)
            let stepMs = Int(1000 / rate)
            var yielded = 0
            for tick in 0..<ticks {
                try? await Task.sleep(until: start + period * tick, clock: clock)
                let j = tick % cycle
                var batch: [GCTraceRecord] = []
                batch.reserveCapacity(lines.lines.count)
                lines.bytes.withUnsafeMutableBufferPointer { buffer in
                    for process in 0..<lines.lines.count {
                        let span = lines.lines[process][j]
                        TraceLines.patch(buffer, at: span.stamp, stamp: lines.firstStamp[process] + tick * stepMs)
                        switch feed {
                        case .preparsed:
                            batch.append(lines.parsed[process][j])
                        case .parsed:
                            let line = UnsafeRawBufferPointer(start: buffer.baseAddress! + span.start, count: span.count)
                            if let record = parser.parse(line) { batch.append(record) }
                        }
                        yielded += 1
                    }
                }
                continuation.yield(batch)
            }
            self.yielded = yielded
            continuation.finish()
        }
        return stream
    }
}

struct SilentAlerts: AlertSink {
    func emit(_ alert: Alert) {}
}

/// A consumer that drops every record (but looks at each, so nothing is optimized away).
func drain(_ source: BenchSource) async -> Int {
    var count = 0
    for await batch in source.records() {
        for record in batch where record.newCollectionKind != nil { count += 1 }
    }
    return count
}

// MARK: - Run

print("engine-scale: \(processCount) processes x \(rate) lines/s, engine \(duration) s, references \(referenceDuration) s, \(rounds) /proc rounds")
let rssAtStart = selfStatus("VmRSS"), anonAtStart = selfStatus("RssAnon"), fileAtStart = selfStatus("RssFile")
let children = spawnSleepers(processCount)
defer { killChildren(children) }
let traceLines = TraceLines(pids: children)
let rssBeforeMeasuring = selfStatus("VmRSS"), anonBeforeMeasuring = selfStatus("RssAnon")
print("lines: \(traceLines.bytes.count) bytes of templates (\(cycle) a process); RSS \(rssAtStart) kB at start, \(rssBeforeMeasuring) kB after spawning and generating")

var rows: [Row] = []
let clock = ContinuousClock()

@MainActor func measure(_ name: String, phase: String, pace: Double? = nil, note: String = "", _ body: () async -> String) async {
    guard phases.contains(phase) else { return }
    let cpu0 = cpuSeconds()
    let wall0 = clock.now
    let extra = await body()
    let cpu = cpuSeconds() - cpu0
    let wall = seconds(wall0.duration(to: clock.now))
    rows.append(Row(name: name, cpu: cpu, wall: wall, share: cpu / (pace ?? wall), note: [note, extra].filter { !$0.isEmpty }.joined(separator: "; ")))
}

// Bare /proc reads of the sampler: statm of every pid and meminfo each round, cgroup every 30th.
var scratch = [UInt8](repeating: 0, count: 8192)
@MainActor func readWhole(_ path: String) -> Int {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var total = 0
    while true {
        let n = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n <= 0 { return total }
        total += n
    }
}
await measure("bare /proc reads, \(rounds) rounds", phase: "proc", pace: Double(rounds), note: "paced at 1 round/s") {
    var bytes = 0
    // What HostSampler reads: statm each round, cgroup every refreshRounds-th.
    for round in 0..<rounds {
        bytes += readWhole("/proc/meminfo")
        for pid in children {
            bytes += readWhole("/proc/\(pid)/statm")
            if round % HostSampler.Memberships.refreshRounds == 0 { bytes += readWhole("/proc/\(pid)/cgroup") }
        }
    }
    return "\(bytes / rounds) bytes a round"
}
// The reads HostSampler made before it parsed status and cgroup bytes itself:
// ProcStatus(parsing:) and CgroupMemoryReader.membership (String, Character by Character).
await measure("ProcReader.status + CgroupMemoryReader.membership, \(rounds) rounds", phase: "textparse", pace: Double(rounds), note: "paced at 1 round/s; the sampler's reads before 2026-12-02") {
    let (proc, cgroups) = (ProcReader(), CgroupMemoryReader())
    var found = 0
    for _ in 0..<rounds {
        _ = proc.memoryAvailable()
        for pid in children {
            if let status = proc.status(of: pid).value, !status.isZombie, cgroups.membership(of: pid).value != nil { found += 1 }
        }
    }
    return "\(found / rounds) processes a round"
}
await measure("HostSampler.sample, \(rounds) rounds", phase: "sampler", pace: Double(rounds), note: "paced at 1 round/s") {
    let sampler = HostSampler()
    var memberships = HostSampler.Memberships()
    var samples = 0
    for _ in 0..<rounds { samples += sampler.sample(children, memberships: &memberships).count }
    return "\(samples / rounds) samples a round"
}

await measure("generator alone (pre-parsed records, dropped)", phase: "generator") {
    let source = BenchSource(lines: traceLines, feed: .preparsed, seconds: referenceDuration)
    let count = await drain(source)
    return "\(count) records"
}
await measure("generator + GCTraceParser (records dropped)", phase: "parser") {
    let source = BenchSource(lines: traceLines, feed: .parsed, seconds: referenceDuration)
    let count = await drain(source)
    return "\(count) records"
}

let state = FileManager.default.temporaryDirectory.appendingPathComponent("memwatchd-engine-scale-\(UUID())").path
defer { try? FileManager.default.removeItem(atPath: state) }
try StateDirectory(path: state).create()
/// A store, a taker and an engine over `seconds` of the trace.
func makeEngine(_ name: String, seconds: Double) throws -> (WatchEngine, EventStore) {
    let directory = StateDirectory(path: state + "/" + name)
    try directory.create()
    try StateDirectory.prepareSnapshotDirectory(directory.snapshotsPath)
    let store = try EventStore(path: directory.eventStorePath)
    let reporter = EventReporter(store: store, alerts: SilentAlerts())
    let taker = SnapshotTaker(snapshotDirectory: directory.snapshotsPath, reporter: reporter, signaller: DryRunSignaller())
    let scope = ProcessTreeScope(root: try ProcessHandle(pid: getpid()))
    let source = BenchSource(lines: traceLines, feed: .parsed, seconds: seconds)
    return (WatchEngine(options: WatchEngine.Options(), scope: scope, sources: [source], reporter: reporter, snapshots: taker), store)
}
if phases.contains("nosampler") {
    let (bare, _) = try makeEngine("nosampler", seconds: referenceDuration)
    await measure("source + parser + WatchEngine, no sampling", phase: "nosampler") {
        await bare.readSources()
        await bare.finish()
        return "\(await bare.isolates.count) isolates"
    }
}
let (engine, store) = try makeEngine("engine", seconds: duration)
let sampling = SamplingService(sampler: HostSampler(), interval: .seconds(1), engine: engine)
var rssEngine = 0, hwmEngine = 0, anonEngine = 0, fileEngine = 0
await measure("engine: source + parser + WatchEngine + SamplingService 1 s", phase: "engine") {
    let sampler = Task { await sampling.run() }
    await engine.readSources()
    await engine.finish()
    rssEngine = selfStatus("VmRSS")
    hwmEngine = selfStatus("VmHWM")
    anonEngine = selfStatus("RssAnon")
    fileEngine = selfStatus("RssFile")
    let isolates = await engine.isolates
    let watched = await engine.watchedPIDs.count
    sampler.cancel()
    await sampler.value
    return "\(isolates.count) isolates, \(isolates.reduce(0) { $0 + $1.gcs }) GCs, \(watched) pids held"
}
let events = (try? store.events()) ?? []

// MARK: - Report

func format(_ row: Row) -> String {
    let name = row.name.padding(toLength: 66, withPad: " ", startingAt: 0)
    return name + String(format: " %8.3f s %8.1f s %8.3f %%", row.cpu, row.wall, row.share * 100) + "   " + row.note
}
print("")
print("what".padding(toLength: 66, withPad: " ", startingAt: 0) + "      CPU       wall  % of a core")
for row in rows { print(format(row)) }
if let generator = rows.first(where: { $0.name.hasPrefix("generator alone") }),
   let engineRow = rows.first(where: { $0.name.hasPrefix("engine") }) {
    print(String(format: "engine minus generator alone: %.3f %% of a core (target < 0.5 %%)", (engineRow.share - generator.share) * 100))
    if let parserRow = rows.first(where: { $0.name.hasPrefix("generator + GCTraceParser") }) {
        print(String(format: "  of which parsing (generator + parser minus generator alone): %.3f %%", (parserRow.share - generator.share) * 100))
    }
    if let parserRow = rows.first(where: { $0.name.hasPrefix("generator + GCTraceParser") }),
       let bare = rows.first(where: { $0.name.hasPrefix("source + parser + WatchEngine, no sampling") }) {
        print(String(format: "  of which the engine's own work on the records (no sampling minus generator + parser): %.3f %%", (bare.share - parserRow.share) * 100))
        print(String(format: "  of which the 1 s sampling (engine minus no sampling): %.3f %%", (engineRow.share - bare.share) * 100))
    }
    if let sampler = rows.first(where: { $0.name.hasPrefix("HostSampler") }) {
        print(String(format: "  of which the 1 s sampling (HostSampler's rounds alone): %.3f %%", sampler.share * 100))
    }
}
print("RSS at the end of the engine's run: VmRSS \(rssEngine) kB (RssAnon \(anonEngine) kB, RssFile \(fileEngine) kB), VmHWM \(hwmEngine) kB (target < 20 MB)")
print("  at start: VmRSS \(rssAtStart) kB (RssAnon \(anonAtStart) kB, RssFile \(fileAtStart) kB); before measuring \(rssBeforeMeasuring) kB (RssAnon \(anonBeforeMeasuring) kB; templates \(traceLines.bytes.count / 1024) kB)")
print("events recorded: \(events.count) (\(Dictionary(grouping: events, by: \.type).map { "\($0.key): \($0.value.count)" }.sorted().joined(separator: ", ")))")
