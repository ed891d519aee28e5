// Measures the snapshot path's own latencies against a real node process:
//  - request → SIGUSR2 sent (facts, guards, budget, inotify set-up, pidfd signal)
//  - snapshot file's IN_CLOSE_WRITE → event recorded in SQLite (+ stderr alert line)
//  - pidfd_send_signal call cost vs kill(2)
// Usage: SnapshotLatency NODE [ITERATIONS] [OBJECTS]
import Foundation
import MemWatchCore
import Synchronization

let arguments = CommandLine.arguments
let node = arguments.count > 1 ? arguments[1] : "/usr/bin/node"
let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20
let objects = arguments.count > 3 ? Int(arguments[3]) ?? 20000 : 20000

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func summary(_ name: String, _ values: [Double], unit: String = "ms") {
    let sorted = values.sorted()
    func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))] }
    let label = name.padding(toLength: 44, withPad: " ", startingAt: 0)
    print(label + String(format: " n=%-5d p50 %9.3f  p95 %9.3f  max %9.3f ", values.count, at(0.5), at(0.95), sorted.last ?? 0) + unit)
}

/// Stamps the moment the taker hands the snapshot signal to the real signaller.
final class StampingSignaller: ProcessSignaller {
    let stamp = Mutex<ContinuousClock.Instant?>(nil)
    func send(_ signal: Int32, to process: ProcessHandle) -> SignalDelivery {
        stamp.withLock { $0 = .now }
        return PidfdSignaller().send(signal, to: process)
    }
}

/// An independent inotify watch stamping IN_CLOSE_WRITE of any snapshot file.
final class CloseStamper: Sendable {
    let fd = inotify_init1(Int32(IN_CLOEXEC))
    let stamps = Mutex<[String: ContinuousClock.Instant]>([:])
    let started = Mutex(false)

    init(directory: String) {
        _ = inotify_add_watch(fd, directory, UInt32(IN_CLOSE_WRITE))
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            started.withLock { $0 = true }
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, 65536) }
                let now = ContinuousClock.now
                guard count > 0 else { return }
                var offset = 0
                while offset + 16 <= count {
                    let length = buffer.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)) }
                    let name = String(decoding: buffer[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }, as: UTF8.self)
                    stamps.withLock { $0[name] = now }
                    offset += 16 + length
                }
            }
        }
    }
}

let state = FileManager.default.temporaryDirectory.appendingPathComponent("memwatchd-bench-\(UUID())").path
defer { try? FileManager.default.removeItem(atPath: state) }
let stateDirectory = StateDirectory(path: state)
try stateDirectory.create()
try StateDirectory.prepareSnapshotDirectory(stateDirectory.snapshotsPath)
let devNull = open("/dev/null", O_WRONLY)
let reporter = EventReporter(
    store: try EventStore(path: stateDirectory.eventStorePath), alerts: StderrAlertSink(descriptor: devNull))

let app = Process()
app.executableURL = URL(fileURLWithPath: node)
app.arguments = ["--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=\(stateDirectory.snapshotsPath)", "-e", """
    globalThis.keep = Array.from({ length: \(objects) }, (_, i) => ({ i, text: 'item ' + i }));
    console.log('ready');
    setInterval(() => {}, 1000);
    """]
let output = Pipe()
app.standardOutput = output
try app.run()
defer { kill(app.processIdentifier, SIGKILL); app.waitUntilExit() }
_ = output.fileHandleForReading.availableData  // "ready"
let process = try ProcessHandle(pid: app.processIdentifier)

let signaller = StampingSignaller()
let policy = SnapshotPolicy(maxSnapshotBytes: .max / 4, cooldown: 0, maxSnapshotsPerProcess: .max)
let taker = SnapshotTaker(
    snapshotDirectory: stateDirectory.snapshotsPath, policy: policy, reporter: reporter, signaller: signaller)
let closes = CloseStamper(directory: stateDirectory.snapshotsPath)
let memAvailable = Int64(ProcessInfo.processInfo.physicalMemory)
while !closes.started.withLock({ $0 }) { usleep(1000) }
usleep(10_000)  // let it block in read(2)

var toSignal: [Double] = [], closeToRecorded: [Double] = [], writing: [Double] = [], sizes: [Int64] = []
for _ in 0..<iterations {
    let requested = ContinuousClock.now
    let outcome = await taker.take(SnapshotRequest(
        process: process, heapUsed: 8 << 20, catchesSnapshotSignal: true, memAvailable: memAvailable))
    let returned = ContinuousClock.now
    guard case let .written(path, bytes, _) = outcome else { print("unexpected: \(outcome)"); exit(1) }
    let name = (path as NSString).lastPathComponent
    // The stamping thread normally has its stamp long before the taker returns.
    var closedStamp: ContinuousClock.Instant?
    for _ in 0..<1000 where closedStamp == nil {
        closedStamp = closes.stamps.withLock { $0[name] }
        if closedStamp == nil { usleep(100) }
    }
    guard let closed = closedStamp, let sent = signaller.stamp.withLock({ $0 }) else {
        print("missing stamps"); exit(1)
    }
    toSignal.append(milliseconds(requested.duration(to: sent)))
    writing.append(milliseconds(sent.duration(to: closed)))
    closeToRecorded.append(milliseconds(closed.duration(to: returned)))
    sizes.append(bytes)
    unlink(path)
}

// Signal-send cost alone, with a signal node ignores by default (SIGWINCH).
var pidfdSend: [Double] = [], killSend: [Double] = []
for _ in 0..<2000 {
    var start = ContinuousClock.now
    _ = PidfdSignaller().send(SIGWINCH, to: process)
    pidfdSend.append(milliseconds(start.duration(to: .now)) * 1000)
    start = ContinuousClock.now
    kill(process.pid, SIGWINCH)
    killSend.append(milliseconds(start.duration(to: .now)) * 1000)
}

print("node \(node), \(objects) objects, snapshot ~\(HumanReadable.bytes(sizes.max() ?? 0)), \(iterations) snapshots")
summary("request -> SIGUSR2 sent", toSignal)
summary("SIGUSR2 sent -> file closed (node writing)", writing)
summary("IN_CLOSE_WRITE -> event recorded + alerted", closeToRecorded)
summary("pidfd_send_signal call", pidfdSend, unit: "us")
summary("kill(2) call, for comparison", killSend, unit: "us")
