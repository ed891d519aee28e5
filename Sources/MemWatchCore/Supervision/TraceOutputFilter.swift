import Glibc

/// Splits a node process's stdout into the app's own output, forwarded byte
/// for byte, and V8's GC trace lines, handed on as parsed records.
///
/// App bytes are released as soon as they arrive: a prompt or a progress bar
/// is never held back waiting for a newline. The only bytes held are a tail
/// that could still be the start of a trace line (`[`, digits, `:0x`, hex,
/// optionally `:` and digits, `]`, then the rest of the line); the caller releases them with
/// ``flush(into:)`` when no more bytes came for a moment (say 50 ms), and
/// V8 writes each trace line with a single `write`, so in practice a held
/// tail is completed within microseconds.
///
/// Only whole lines V8 wrote are taken out; everything else passes byte for
/// byte. A trace line starts a line, or follows a partial app line: V8 prints
/// with C stdio and the app with libuv, so `Enter name: [123:0x5a…] 45 ms:
/// Scavenge …\n` can be a prompt (forwarded) and then V8's line (dropped).
/// The two came in separate writes; an app line that merely quotes one
/// (`user said: [1:0x1] 5 ms: Scavenge …`, a log relay's `[0] [123:0x…] …`)
/// came in one. A pipe does not keep writes apart, but a read never starts
/// inside a write: so a candidate in mid-line is V8's only when a read
/// starts with it. One inside a read stays app output (its record still
/// counts when its pid is watched: a relay passes on its children's trace).
/// Every `[` is a possible start, found with `memchr`; bytes between them
/// are not examined one by one.
///
/// Whether a candidate is a trace line is the parser's call (any record it
/// returns means "trace line") and the caller's: a line naming a process
/// that is not watched (`admits`) is app output, whatever it looks like.
public struct TraceOutputFilter {
    /// Collects what the filter produced. Reuse one value across calls
    /// (clear it after writing) to avoid allocating per chunk. A caller that
    /// writes app bytes straight on uses its own ``TraceOutputSink``.
    public struct Output: TraceOutputSink {
        /// Bytes for memwatchd's stdout.
        public var app: [UInt8] = []
        /// Trace lines, parsed, in the order they arrived.
        public var records: [GCTraceRecord] = []

        public init() {}

        public mutating func removeAll() {
            app.removeAll(keepingCapacity: true)
            records.removeAll(keepingCapacity: true)
        }

        public mutating func appOutput(_ bytes: UnsafeRawBufferPointer) { app.append(contentsOf: bytes) }
        public mutating func traceRecord(_ record: GCTraceRecord) { records.append(record) }
    }

    /// Forward trace lines to stdout as well (`--keep-gc-trace`).
    public var keepTrace: Bool
    public private(set) var parser: GCTraceParser
    /// A candidate trace line longer than this is app output.
    public static let longestTraceLine = 64 * 1024

    /// Whether a line names a process whose trace memwatchd believes; nil: any.
    private let admits: ((Int32) -> Bool)?
    private var held: [UInt8] = []
    /// The byte before the next one to scan (the held tail's first, if any)
    /// ended a line, or nothing came yet.
    private var atLineStart = true
    /// The held tail began a read.
    private var heldBeganRead = false
    private let feedsAreWrites: Bool
    /// The last trace line was V8's `Memory pool: Removed pages: N, removed
    /// large pages: N`, whose format string (Node 26's `--trace-gc-nvp`) has a
    /// stray newline: its end, `, removed zone reservations: N`, comes as a
    /// line of its own, without the `[pid:isolate]` prefix.
    private var awaitingZoneReservations = false
    private static let memoryPoolLineEnd = Array("removed large pages: ".utf8)
    private static let zoneReservationsLine = Array(", removed zone reservations: ".utf8)

    /// - Parameters:
    ///   - admits: whether trace lines of this pid are believed (the launched
    ///     process and those below it); others are app output. Nil believes
    ///     every pid (replaying a log).
    ///   - feedsAreWrites: each ``feed(_:into:)`` is one write of the app's
    ///     (a packet-mode pipe), not any slice of the stream.
    public init(
        keepTrace: Bool = false, parser: GCTraceParser = GCTraceParser(), admits: ((Int32) -> Bool)? = nil,
        feedsAreWrites: Bool = false
    ) {
        self.keepTrace = keepTrace
        self.parser = parser
        self.admits = admits
        self.feedsAreWrites = feedsAreWrites
    }

    /// True when bytes are held back as a possible start of a trace line.
    /// (Not a V8 line prefix from a packet pipe: that is no app byte, and
    /// waits for the rest of its line however long it takes.)
    public var isHolding: Bool { !held.isEmpty && !holdsBarePrefix }

    /// The held write is V8's `[pid:isolate] ` prefix of a watched process.
    private var holdsBarePrefix: Bool {
        feedsAreWrites && heldBeganRead && Self.barePrefixPID(held).map { admits?($0) ?? true } == true
    }

    /// The output so far ends inside a line (a prompt, a progress bar).
    public var endsMidLine: Bool { !atLineStart }

    /// Filters one read's bytes.
    public mutating func feed<Sink: TraceOutputSink>(_ chunk: UnsafeRawBufferPointer, into output: inout Sink) {
        if feedsAreWrites, !held.isEmpty { settleHeldWrite(before: chunk, into: &output) }
        if held.isEmpty {
            let holdFrom = scan(chunk, readStarts: (0, nil), into: &output)
            if holdFrom < chunk.count {
                heldBeganRead = holdFrom == 0
                held.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[holdFrom...]))
            }
        } else {
            let readStart = held.count
            held.append(contentsOf: chunk)
            var pending = held
            let holdFrom = pending.withUnsafeBytes {
                scan($0, readStarts: (heldBeganRead ? 0 : nil, readStart), into: &output)
            }
            if holdFrom > 0 { heldBeganRead = holdFrom == readStart }
            pending.removeFirst(holdFrom)
            held = pending
        }
    }

    /// Releases held bytes as app output: nothing more came to complete them.
    public mutating func flush<Sink: TraceOutputSink>(into output: inout Sink) {
        if holdsBarePrefix { return }
        if let last = held.last {
            held.withUnsafeBytes { output.appOutput($0) }
            atLineStart = Self.endsLine(last)
        }
        held.removeAll(keepingCapacity: true)
        awaitingZoneReservations = false
    }

    /// At the end of the output: what is held is released (a V8 prefix whose
    /// rest never came is trace output).
    public mutating func finish<Sink: TraceOutputSink>(into output: inout Sink) {
        dropBarePrefix(into: &output)
        flush(into: &output)
    }

    private mutating func dropBarePrefix<Sink: TraceOutputSink>(into output: inout Sink) {
        guard holdsBarePrefix else { return }
        if keepTrace { held.withUnsafeBytes { output.appOutput($0) } }
        held.removeAll(keepingCapacity: true)
    }

    /// With one write a feed: V8 writes a line whole, or its `[pid:isolate] `
    /// prefix (with the time stamp, `[pid:isolate]   12 ms: `) and then the
    /// rest, perhaps much later on a loaded machine. A held write that is such
    /// a prefix of a watched process is V8's: it joins the next write when
    /// that one ends the line, else it is dropped as trace output (V8 wrote
    /// it with no rest, or another thread's line came between). Any other
    /// tail a write left open is the app's, whatever comes next.
    private mutating func settleHeldWrite<Sink: TraceOutputSink>(
        before next: UnsafeRawBufferPointer, into output: inout Sink
    ) {
        if holdsBarePrefix, Self.couldRestAV8Line(next) { return }
        finish(into: &output)
    }

    /// What V8 writes after a line prefix: text that starts with a visible
    /// ASCII character (`Old space, used: …`, `pause=…`, `[HeapController] …`,
    /// `(*) Sweeping is still in progress …`), not a space or any other byte,
    /// and ends the line, but not another prefix.
    private static func couldRestAV8Line(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, first &- 0x21 < 0x5E, bytes.contains(UInt8(ascii: "\n")) else { return false }
        if case .mismatch = matchPrefix(bytes, from: 0) { return true }
        return false
    }

    /// The pid of `[pid:0xisolate] ` or `[pid:0xisolate]   12 ms: ` and nothing more.
    private static func barePrefixPID(_ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { buffer -> Int32? in
            guard case .matched(let end) = matchPrefix(buffer, from: 0), end < buffer.count else { return nil }
            var index = end
            while index < buffer.count, buffer[index] == UInt8(ascii: " ") { index += 1 }
            if index < buffer.count {
                while index < buffer.count, buffer[index] &- 0x30 < 10 || buffer[index] == UInt8(ascii: ".") { index += 1 }
                guard buffer[index...].elementsEqual(" ms: ".utf8) else { return nil }
            }
            return Int32(String(decoding: buffer[1..<buffer.firstIndex(of: UInt8(ascii: ":"))!], as: UTF8.self))
        }
    }

    private static func endsLine(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Emits what `buffer` holds and returns where the tail to hold begins
    /// (`buffer.count` when nothing is held). `readStarts`: the offsets in
    /// `buffer` where a read began.
    private mutating func scan<Sink: TraceOutputSink>(
        _ buffer: UnsafeRawBufferPointer, readStarts: (Int?, Int?), into output: inout Sink
    ) -> Int {
        let holdFrom = scanLines(buffer, readStarts: readStarts, into: &output)
        if holdFrom > 0 { atLineStart = Self.endsLine(buffer[holdFrom - 1]) }
        return holdFrom
    }

    private mutating func scanLines<Sink: TraceOutputSink>(
        _ buffer: UnsafeRawBufferPointer, readStarts: (Int?, Int?), into output: inout Sink
    ) -> Int {
        let count = buffer.count
        guard let base = buffer.baseAddress, count > 0 else { return 0 }
        var emitted = 0
        var searchFrom = 0
        if awaitingZoneReservations {
            guard let next = skipZoneReservations(buffer, at: 0, into: &output) else { return 0 }
            emitted = next
            searchFrom = next
        }
        while searchFrom < count {
            guard let found = memchr(base + searchFrom, Int32(UInt8(ascii: "[")), count - searchFrom) else {
                break
            }
            let start = base.distance(to: UnsafeRawPointer(found))
            switch Self.matchPrefix(buffer, from: start) {
            case .mismatch:
                searchFrom = start + 1
            case .incomplete:
                emit(buffer, emitted..<start, to: &output)
                return start
            case .matched(let prefixEnd):
                guard let newline = memchr(base + prefixEnd, Int32(UInt8(ascii: "\n")), count - prefixEnd) else {
                    if count - start > Self.longestTraceLine {
                        searchFrom = start + 1
                        continue
                    }
                    emit(buffer, emitted..<start, to: &output)
                    return start
                }
                let lineEnd = base.distance(to: UnsafeRawPointer(newline))
                // A pty turns V8's "\n" into "\r\n".
                let contentEnd = lineEnd > start && buffer[lineEnd - 1] == UInt8(ascii: "\r") ? lineEnd - 1 : lineEnd
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<contentEnd])
                guard let record = parser.parse(line), admits?(record.isolate.pid) ?? true else {
                    searchFrom = start + 1
                    continue
                }
                let startsLine = start == 0 ? atLineStart : Self.endsLine(buffer[start - 1])
                if !startsLine && start != readStarts.0 && start != readStarts.1 {
                    // Inside one write with app text before it: the app's line.
                    output.traceRecord(record)
                    searchFrom = lineEnd + 1
                    continue
                }
                let keptEnd = keepTrace ? lineEnd + 1 : start
                emit(buffer, emitted..<keptEnd, to: &output)
                output.traceRecord(record)
                emitted = lineEnd + 1
                searchFrom = lineEnd + 1
                if case .traceOnly = record, Self.endsMemoryPoolLine(line) {
                    guard let next = skipZoneReservations(buffer, at: emitted, into: &output) else { return emitted }
                    emitted = next
                    searchFrom = next
                }
            }
        }
        emit(buffer, emitted..<count, to: &output)
        return count
    }

    /// `line` ends in `removed large pages: <digits>`.
    private static func endsMemoryPoolLine(_ line: UnsafeRawBufferPointer) -> Bool {
        var end = line.count
        while end > 0, line[end - 1] &- 0x30 < 10 { end -= 1 }
        let suffix = memoryPoolLineEnd
        return end < line.count && end >= suffix.count
            && line[(end - suffix.count)..<end].elementsEqual(suffix)
    }

    /// Past the `, removed zone reservations: N` line at `start`, if one is
    /// there (dropped, or kept with `keepTrace`); `start` when none is; nil
    /// when the buffer ends before that is known: hold from `start`, and look
    /// again when more bytes come.
    private mutating func skipZoneReservations<Sink: TraceOutputSink>(
        _ buffer: UnsafeRawBufferPointer, at start: Int, into output: inout Sink
    ) -> Int? {
        awaitingZoneReservations = false
        let expected = Self.zoneReservationsLine
        let available = min(buffer.count - start, expected.count)
        guard buffer[start..<(start + available)].elementsEqual(expected[..<available]) else { return start }
        let prefixEnd = start + expected.count
        guard available == expected.count,
              let newline = memchr(buffer.baseAddress! + prefixEnd, Int32(UInt8(ascii: "\n")), buffer.count - prefixEnd)
        else {
            // Held while it could still be V8's line; past the longest, it is the app's.
            guard buffer.count - start <= Self.longestTraceLine else { return start }
            awaitingZoneReservations = true
            return nil
        }
        let lineEnd = buffer.baseAddress!.distance(to: UnsafeRawPointer(newline))
        if keepTrace { emit(buffer, start..<(lineEnd + 1), to: &output) }
        return lineEnd + 1
    }

    private func emit<Sink: TraceOutputSink>(
        _ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, to output: inout Sink
    ) {
        if !range.isEmpty { output.appOutput(UnsafeRawBufferPointer(rebasing: buffer[range])) }
    }

    private enum PrefixMatch { case mismatch, incomplete, matched(end: Int) }

    /// Matches V8's line prefix `[<pid>:0x<isolate>]` or `[<pid>:0x<isolate>:<n>]` at `start`.
    private static func matchPrefix(_ buffer: UnsafeRawBufferPointer, from start: Int) -> PrefixMatch {
        let bytes = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let count = buffer.count
        var index = start + 1
        while index < count, bytes[index] &- 0x30 < 10 { index += 1 }
        let pidDigits = index - start - 1
        // Node ≤ 6 printed `[pid]` alone; such old node is not supervised live,
        // and `[digits]` is common app output, so it is not a candidate here.
        guard pidDigits <= 10 else { return .mismatch }
        if index == count { return .incomplete }
        guard pidDigits > 0, bytes[index] == UInt8(ascii: ":") else { return .mismatch }
        index += 1
        for expected in [UInt8(ascii: "0"), UInt8(ascii: "x")] {
            if index == count { return .incomplete }
            guard bytes[index] == expected else { return .mismatch }
            index += 1
        }
        let hexStart = index
        while index < count, Self.isHexDigit(bytes[index]) { index += 1 }
        guard index - hexStart <= 16 else { return .mismatch }
        if index == count { return .incomplete }
        guard index > hexStart else { return .mismatch }
        // V8 13+ (Node 24) adds `:<n>` in `--trace-gc-nvp` and `--trace-gc-verbose` lines.
        if bytes[index] == UInt8(ascii: ":") {
            let digitsStart = index + 1
            index = digitsStart
            while index < count, bytes[index] &- 0x30 < 10 { index += 1 }
            guard index - digitsStart <= 10 else { return .mismatch }
            if index == count { return .incomplete }
            guard index > digitsStart else { return .mismatch }
        }
        guard bytes[index] == UInt8(ascii: "]") else { return .mismatch }
        return .matched(end: index + 1)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10 || (byte | 0x20) &- 0x61 < 6
    }
}

/// Receives the filter's results as they are found: app bytes (a view into
/// the caller's buffer, valid only during the call) and trace records.
public protocol TraceOutputSink {
    mutating func appOutput(_ bytes: UnsafeRawBufferPointer)
    mutating func traceRecord(_ record: GCTraceRecord)
}
