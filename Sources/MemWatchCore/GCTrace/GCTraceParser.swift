#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns lines of V8 GC trace output into records; everything else is app output.
///
/// Reads every format node has printed (V8's `gc-tracer.cc` / `heap.cc`):
/// - `--trace-gc`, Node 0.10–6: `[pid]   45 ms: Mark-sweep 12.3 (45.6) -> 7.8 (45.6) MB, 12 / 0 ms [allocation failure] [GC in old space requested].`
/// - Node 8–18: `... MB, 1.5 / 0.0 ms  (+ ...) (average mu = 1.000, current mu = 1.000) allocation failure GC in old space requested`
/// - Node 20–24: `... MB, [pooled: 0 MB, ]6.04 / 0.00 ms  (...) (average mu = ..., current mu = ...) allocation failure; GC in old space requested`,
///   with `Mark-Compact (reduce)`, `Minor Mark-Sweep`, `Scavenge (interleaved)`.
/// - `--trace-gc-nvp`: `pause=0.4 mutator=24.3 gc=s ... total_size_before=4074344 total_size_after=3212760 ...`
///   (Node 24: `start_object_size=`/`end_object_size=`, `start_memory_size=`/`end_memory_size=`).
/// - `--trace-gc-verbose` space and external memory lines.
///
/// Lines may carry a log shipper's prefix (`0|app  | `, a timestamp), decimal
/// commas, Windows isolate addresses without `0x`. Cut-off lines give nil or the
/// record the whole line gives (never a smaller number); the reason of a line
/// cut inside it is dropped rather than shortened.
///
/// `mutating` because it remembers which GCs it has seen, to report the ones the
/// OOM `<--- Last few GCs --->` block repeats as `.repeatedGC`, and because it
/// interns reason strings.
public struct GCTraceParser: Sendable {
    private var strings = ByteStringInterner()
    private var repeats = RepeatedGCFilter()
    private var headerMemo = TraceLineHeaderMemo()

    public init() {}

    /// Parses one line (with or without its `\n` / `\r\n`). Nil for app output,
    /// garbage and cut-off lines; any record means V8's tracing printed the line.
    public mutating func parse(_ line: UnsafeRawBufferPointer) -> GCTraceRecord? {
        guard let raw = line.baseAddress, line.count > 0 else { return nil }
        let start = raw.assumingMemoryBound(to: UInt8.self)
        var end = start + line.count
        while end > start, end[-1] == UInt8(ascii: "\n") || end[-1] == UInt8(ascii: "\r") { end -= 1 }
        var cursor = ByteCursor(start, end)
        if let header = headerMemo.match(&cursor) { return body(of: header, &cursor) }
        guard let header = TraceLineHeader.find(&cursor) else {
            repeats.observeOtherLine(ByteCursor(start, end))
            return nil
        }
        if start.pointee == UInt8(ascii: "[") { headerMemo.remember(header, from: start, to: cursor.position) }
        return body(of: header, &cursor)
    }

    /// Convenience for tests and tools: parses the UTF-8 bytes of `line`.
    public mutating func parse(_ line: some StringProtocol) -> GCTraceRecord? {
        var copy = String(line)
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    // MARK: - Line shapes

    private mutating func body(of header: TraceLineHeader, _ c: inout ByteCursor) -> GCTraceRecord? {
        let id = header.id
        c.skipSpaces()
        // A header alone says nothing: a line cut right after it, or not V8's.
        if c.isAtEnd { return nil }
        // `%8.0f ms: ` — lines about one collection or the heap's sizing.
        if c.current &- 48 < 10 {
            guard let stamp = c.decimal(), c.skip(" ms: "), !c.isAtEnd else { return nil }
            let time = stamp.value
            let nameValue = c.startsWith("pause=")
            if nameValue || c.startsWith("GC: {") {
                // Nil when cut off before its last figure.
                let parsed = nameValue ? nvpEvent(id: id, time: time, &c) : jsonNVPEvent(id: id, time: time, &c)
                guard let event = parsed else { return nil }
                return repeats.admit(id, time) ? .gc(event) : .repeatedGC(event)
            }
            var shape = GCLineShape.collection
            guard let event = gcEvent(id: id, time: time, &c, shape: &shape) else {
                return shape == .notCollection && header.hasIsolate ? .traceOnly(id) : nil
            }
            return repeats.admit(id, time) ? .gc(event) : .repeatedGC(event)
        }
        let verbose = VerboseTraceLine.parse(id: id, &c, strings: &strings)
        // `[pid]` (V8 3.x) is too common in app output to mean more than what parses.
        return verbose ?? (header.hasIsolate ? .traceOnly(id) : nil)
    }

    private enum GCLineShape {
        /// A collection's line (cut off if no event came of it).
        case collection
        /// Another trace line after the stamp (`Memory reducer: ...`,
        /// `Scavenge stack scanning: ...`, `[HeapController] ...`).
        case notCollection
    }

    /// `Mark-Compact (reduce) 41.1 (65.7) -> 36.6 (70.9) MB, pooled: 0 MB, 6.04 / 0.00 ms  (...) reason; collector reason`
    private mutating func gcEvent(id: IsolateID, time: Double, _ c: inout ByteCursor, shape: inout GCLineShape) -> GCEvent? {
        let nameStart = c.position
        let shared = c.skip("Shared ")
        // V8 14 (Node 26) names incremental full GCs `Incremental Mark-Compact`.
        let qualified = c.skip("Incremental ") || shared
        guard let kind = Self.collectorName(&c) else {
            if !Self.isCutInsideName(ByteCursor(nameStart, c.end)) { shape = .notCollection }
            return nil
        }
        let variantStart = c.position
        while c.startsWith(" (") {
            if c.remaining == 2 { return nil }
            guard Self.isLetter(c.byte(at: 2)) else { break }
            var probe = c
            probe.advance(2)
            while Self.isLetter(probe.current) || probe.current == UInt8(ascii: "-") { probe.advance() }
            if probe.isAtEnd { return nil }
            guard probe.skip(UInt8(ascii: ")")) else { break }
            c = probe
        }
        let variantEnd = c.position
        guard c.current == UInt8(ascii: " "), c.byte(at: 1) &- 48 < 10 else {
            // `Scavenge stack scanning: ...` and the like; a line cut right after
            // the name cannot be told apart, and either way it is no event.
            if c.remaining > 1 { shape = .notCollection }
            return nil
        }
        c.advance()

        guard let usedBefore = c.decimal() else { return nil }
        var committedBefore: DecimalFigure?
        if c.skip(" (") {
            guard let figure = c.decimal(), c.skip(UInt8(ascii: ")")) else { return nil }
            committedBefore = figure
        }
        guard c.skip(" -> "), let usedAfter = c.decimal() else { return nil }
        var committedAfter: DecimalFigure?
        if c.skip(" (") {
            guard let figure = c.decimal(), c.skip(UInt8(ascii: ")")) else { return nil }
            committedAfter = figure
        }
        guard c.skip(" MB, ") else { return nil }
        if c.skip("pooled: ") {
            guard c.decimal() != nil, c.skip(" MB, ") else { return nil }
        }
        guard var pause = c.decimal() else { return nil }
        if c.skip(" / ") {
            guard let second = c.decimal() else { return nil }
            // V8 ≥ 4 prints `duration / external` with the duration as `%.1f`/`%.2f`;
            // V8 3.x printed an integer external time first (`%d / %d ms`, `%d / %.1f ms`).
            if pause.scale == 0 { pause = second }
        }
        guard c.skip(" ms") else { return nil }

        guard let reason = self.reason(&c) else { return nil }
        let mb: Int64 = 1 << 20
        guard let before = usedBefore.scaled(by: mb), let after = usedAfter.scaled(by: mb) else { return nil }

        var variant: String?
        if qualified || variantEnd > variantStart {
            let span = UnsafeBufferPointer(start: nameStart, count: variantEnd - nameStart)
            variant = strings.string(span, make: Self.variantList)
        }
        return GCEvent(
            id: id, timeMs: time, kind: kind, variant: variant,
            usedBefore: before, usedAfter: after,
            committedBefore: committedBefore.flatMap { $0.scaled(by: mb) },
            committedAfter: committedAfter.flatMap { $0.scaled(by: mb) },
            pauseMs: pause.value, reason: reason.text)
    }

    /// Whether the line ends inside what could have been a collector's name.
    private static func isCutInsideName(_ line: ByteCursor) -> Bool {
        var rest = line
        _ = rest.skip("Shared ")
        _ = rest.skip("Incremental ")
        for name: StaticString in ["Shared ", "Incremental ", "Minor Mark-Compact", "Minor Mark-Sweep",
                                   "Minor Mark-sweep", "Mark-Compact", "Mark-compact", "Mark-sweep", "Mark-Sweep",
                                   "Scavenge", "pause=", "GC: {"]
        where rest.remaining < name.utf8CodeUnitCount && memcmp(rest.position, name.utf8Start, rest.remaining) == 0 {
            return true
        }
        return false
    }

    /// The names V8 has printed for its collectors, old and new.
    @inline(__always) private static func collectorName(_ c: inout ByteCursor) -> GCKind? {
        if c.skip("Scavenge") { return .scavenge }
        if c.skip("Mark-") {
            if c.skip("Compact") || c.skip("compact") || c.skip("sweep") || c.skip("Sweep") { return .markCompact }
            return nil
        }
        if c.skip("Minor Mark-") {
            if c.skip("Compact") || c.skip("Sweep") || c.skip("sweep") || c.skip("compact") { return .minorMarkSweep }
        }
        return nil
    }

    private struct Reason { var text: String? }

    /// What follows the pause: parenthesised statistics, then the GC reason and the
    /// collector's reason. No reason if the line is cut before it: V8 cuts the
    /// lines it repeats in the OOM block at 256 bytes, inside the statistics.
    @inline(__always) private mutating func reason(_ c: inout ByteCursor) -> Reason? {
        c.skipSpaces()
        while c.current == UInt8(ascii: "(") {
            guard c.seekNear(UInt8(ascii: ")")) else { return Reason(text: nil) }
            c.advance()
            c.skipSpaces()
        }
        if c.isAtEnd { return Reason(text: nil) }
        // Node ≤ 6: `[allocation failure] [GC in old space requested].`
        if c.skip(UInt8(ascii: "[")) {
            let start = c.position
            guard c.seekNear(UInt8(ascii: "]")) else { return nil }
            return Reason(text: internedReason(start, c.position))
        }
        // Node ≥ 20 ends the GC reason with `;`.
        let start = c.position
        var probe = c
        if probe.seekNear(UInt8(ascii: ";")) {
            return Reason(text: internedReason(start, probe.position))
        }
        // Node 8–18: `reason collector-reason` with nothing between: take the
        // longest of V8's reasons the text starts with, none if it was cut.
        guard let known = KnownGCReasons.longestPrefix(c) else { return Reason(text: nil) }
        return Reason(text: internedReason(start, start + known))
    }

    private mutating func internedReason(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> String? {
        var e = end
        while e > start, e[-1] == UInt8(ascii: " ") { e -= 1 }
        guard e > start else { return nil }
        return strings.string(UnsafeBufferPointer(start: start, count: e - start)) {
            KnownGCReasons.literal($0) ?? String(decoding: $0, as: UTF8.self)
        }
    }

    @inline(__always) private static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 &- 97 < 26 }

    /// `Shared Mark-Compact (reduce) (interleaved)` → `shared, reduce, interleaved`;
    /// `Incremental Mark-Compact` → `incremental`.
    private static func variantList(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        var words: [Substring] = []
        if text.hasPrefix("Shared ") { words.append("shared") }
        if text.hasPrefix("Incremental ") || text.hasPrefix("Shared Incremental ") { words.append("incremental") }
        var rest = text[...]
        while let open = rest.firstIndex(of: "("), let close = rest[open...].firstIndex(of: ")") {
            words.append(rest[rest.index(after: open)..<close])
            rest = rest[rest.index(after: close)...]
        }
        return words.joined(separator: ", ")
    }

    // MARK: - --trace-gc-nvp

    /// `pause=0.4 mutator=24.3 gc=s reduce_memory=0 ... total_size_before=4074344 total_size_after=3212760 ...`
    /// Every figure used must be followed by a space: a value at a cut could be short.
    private func nvpEvent(id: IsolateID, time: Double, _ c: inout ByteCursor) -> GCEvent? {
        var figures = NVPFigures()
        tokens: while !c.isAtEnd {
            let keyStart = c.position
            guard c.seekNear(UInt8(ascii: "=")) else { break }
            let key = NVPKey(UnsafeBufferPointer(start: keyStart, count: c.position - keyStart))
            c.advance()
            switch key {
            case .pause: figures.pause = c.decimal()
            case .gc: figures.kind = Self.nvpKind(&c)
            case .reduceMemory: figures.reduce = c.skip(UInt8(ascii: "1"))
            case .interleaved: figures.interleaved = c.skip(UInt8(ascii: "1"))
            case .sizeBefore: figures.before = c.bytes()
            case .sizeAfter: figures.after = c.bytes()
            case .memoryBefore: figures.committedBefore = c.bytes()
            case .memoryAfter: figures.committedAfter = c.bytes()
            case .reason, .other:
                // V8 prints the memory sizes right after the object sizes, and
                // nothing needed after them: stop at the first other key.
                if figures.isComplete { break tokens }
            }
            if c.current != UInt8(ascii: " ") {
                // A value cut off, or one that is not a number: forget it.
                figures.forget(key)
                guard c.seekNear(UInt8(ascii: " ")) else { break }
            }
            c.advance()
        }
        return figures.event(id: id, timeMs: time)
    }

    /// Node 25+ prints the same figures as one JSON object:
    /// `GC: {"pause":1.391,"mutator":33.253,"gc":"s","reduce_memory":false,...,"reason":"allocation failure",...,
    /// "start_object_size":4882472,"end_object_size":4622072,"start_memory_size":5640192,"end_memory_size":6688768,...}`.
    /// A line cut off keeps the figures that were followed by `,` (a value at the cut could be short).
    private mutating func jsonNVPEvent(id: IsolateID, time: Double, _ c: inout ByteCursor) -> GCEvent? {
        guard c.skip("GC: {") else { return nil }
        var figures = NVPFigures()
        members: while c.skip(UInt8(ascii: "\"")) {
            let keyStart = c.position
            guard c.seekNear(UInt8(ascii: "\"")) else { break }
            let key = NVPKey(UnsafeBufferPointer(start: keyStart, count: c.position - keyStart))
            c.advance()
            guard c.skip(UInt8(ascii: ":")) else { break }
            let valueStart = c.position
            switch key {
            case .pause: figures.pause = c.decimal()
            case .gc: figures.kind = Self.jsonKind(&c)
            case .reduceMemory: figures.reduce = c.skip("true")
            case .interleaved: figures.interleaved = c.skip("true")
            case .sizeBefore: figures.before = c.bytes()
            case .sizeAfter: figures.after = c.bytes()
            case .memoryBefore: figures.committedBefore = c.bytes()
            case .memoryAfter: figures.committedAfter = c.bytes()
            case .reason:
                if c.skip(UInt8(ascii: "\"")) {
                    let start = c.position
                    if c.seekNear(UInt8(ascii: "\"")) {
                        figures.reason = internedReason(start, c.position)
                        c.advance()
                    }
                }
            case .other: break
            }
            if c.current != UInt8(ascii: ",") && c.current != UInt8(ascii: "}") {
                // A value this parser does not read (a string, `1e+06`), or one cut off.
                c.position = valueStart
                if c.skip(UInt8(ascii: "\"")) {
                    guard c.seekNear(UInt8(ascii: "\"")) else { break }
                    c.advance()
                }
                while !c.isAtEnd, c.current != UInt8(ascii: ","), c.current != UInt8(ascii: "}") { c.advance() }
                if c.isAtEnd {
                    // Cut inside this value: forget what was read of it.
                    figures.forget(key)
                    break members
                }
            }
            if c.skip(UInt8(ascii: "}")) { break }
            c.advance()
        }
        return figures.event(id: id, timeMs: time)
    }

    /// `"gc":"s"` and the other short names of ``nvpKind(_:)``, quoted.
    private static func jsonKind(_ c: inout ByteCursor) -> GCKind? {
        if c.skip("\"s\"") { return .scavenge }
        if c.skip("\"mc\"") || c.skip("\"ms\"") { return .markCompact }
        if c.skip("\"mmc\"") || c.skip("\"mms\"") || c.skip("\"minor_ms\"") { return .minorMarkSweep }
        return nil
    }

    /// `gc=s` scavenge; `gc=mc` mark-compact, `gc=ms` V8 3.x–5.x mark-sweep (full);
    /// `gc=mmc` minor mark-compact, `gc=mms` minor mark-sweep.
    private static func nvpKind(_ c: inout ByteCursor) -> GCKind? {
        if c.skip("s ") { c.position -= 1; return .scavenge }
        if c.skip("mc ") || c.skip("ms ") { c.position -= 1; return .markCompact }
        if c.skip("mmc ") || c.skip("mms ") || c.skip("minor_ms ") { c.position -= 1; return .minorMarkSweep }
        return nil
    }
}
