#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replays one GC log through a `LeakWatch`, fed in chunks of any size: it
/// splits lines (carrying a partial line to the next chunk), parses them and
/// returns what the watch newly established. Memory stays bounded: a line
/// longer than `maxLineBytes` is not a GC line and is skipped.
public struct GCLogReplay: Sendable {
    public private(set) var watch: LeakWatch
    public private(set) var lines = 0
    public private(set) var gcLines = 0
    public static let maxLineBytes = 64 * 1024

    private var parser = GCTraceParser()
    private var carry: [UInt8] = []
    private var skippingLongLine = false

    public init(watch: LeakWatch) {
        self.watch = watch
    }

    /// Feeds the next bytes of the log.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) -> [WatchAlert] {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return [] }
        var alerts: [WatchAlert] = []
        var start = 0
        while start < chunk.count {
            guard let hit = memchr(base + start, 0x0A, chunk.count - start) else {
                keep(UnsafeRawBufferPointer(rebasing: chunk[start...]))
                break
            }
            let end = base.distance(to: UnsafeRawPointer(hit))
            if carry.isEmpty, !skippingLongLine {
                line(UnsafeRawBufferPointer(rebasing: chunk[start..<end]), into: &alerts)
            } else {
                keep(UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
                finishCarried(into: &alerts)
            }
            start = end + 1
        }
        return alerts
    }

    /// Ends the log: a last line without a newline is parsed too.
    public mutating func finish() -> [WatchAlert] {
        var alerts: [WatchAlert] = []
        if !carry.isEmpty || skippingLongLine { finishCarried(into: &alerts) }
        return alerts
    }

    private mutating func keep(_ bytes: UnsafeRawBufferPointer) {
        guard !skippingLongLine else { return }
        if carry.count + bytes.count > Self.maxLineBytes {
            carry.removeAll(keepingCapacity: true)
            skippingLongLine = true
        } else {
            carry.append(contentsOf: bytes)
        }
    }

    private mutating func finishCarried(into alerts: inout [WatchAlert]) {
        if skippingLongLine {
            lines += 1
        } else {
            let bytes = carry
            bytes.withUnsafeBytes { line($0, into: &alerts) }
        }
        carry.removeAll(keepingCapacity: true)
        skippingLongLine = false
    }

    private mutating func line(_ bytes: UnsafeRawBufferPointer, into alerts: inout [WatchAlert]) {
        lines += 1
        switch parser.parse(bytes) {
        case .gc(let event)?:
            gcLines += 1
            alerts += watch.observe(event)
        case .spaceUsage(let usage)? where usage.space == "Memory allocator":
            // used + available is V8's heap_size_limit.
            watch.learnHeapLimit(usage.usedBytes + usage.availableBytes, for: usage.id)
        default:
            break
        }
    }
}
