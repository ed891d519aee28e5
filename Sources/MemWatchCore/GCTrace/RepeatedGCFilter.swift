/// Tells new collections from ones the output repeats.
///
/// When node dies of OOM it prints `<--- Last few GCs --->` on stderr followed
/// by the last GC lines again (V8's trace ring buffer). With stdout and stderr
/// merged, or both read, those would count twice. Inside that block a GC is
/// new only if its stamp is later than the last one seen for its isolate (the
/// trace may not have been on, so the block can be the only record).
/// Outside the block every GC is new: a stamp going back there means a new
/// process that reuses pid and isolate address.
struct RepeatedGCFilter: Sendable {
    private var latestStamp: [IsolateID: Double] = [:]
    // The isolate seen last and its stamp, kept out of the dictionary because
    // consecutive lines nearly always come from the same isolate.
    private var recentID = IsolateID(pid: -1, isolate: 0)
    private var recentStamp = 0.0
    private var linesLeftInBlock = 0

    /// The OOM block holds a few hundred bytes of trace; it ends with the JS
    /// stack trace marker or `FATAL ERROR`, and at the latest after this many lines.
    private static let blockLineLimit = 64
    private static let isolateLimit = 4096

    var isInsideLastFewGCs: Bool { linesLeftInBlock > 0 }

    /// Whether the collection of isolate `id` at `timeMs` was not reported before; remembers it.
    mutating func admit(_ id: IsolateID, _ timeMs: Double) -> Bool {
        if id != recentID {
            if recentID.pid >= 0 {
                // Bounded for a daemon that sees processes come and go for months:
                // forgetting old isolates only risks counting one OOM block's lines.
                if latestStamp.count >= Self.isolateLimit { latestStamp.removeAll(keepingCapacity: true) }
                latestStamp[recentID] = recentStamp
            }
            recentID = id
            guard let stamp = latestStamp[id] else {
                recentStamp = timeMs
                countBlockLine()
                return true
            }
            recentStamp = stamp
        }
        countBlockLine()
        if isInsideLastFewGCs, timeMs <= recentStamp { return false }
        recentStamp = timeMs
        return true
    }

    /// Follows the OOM block's markers in lines that are not GC trace lines.
    mutating func observeOtherLine(_ cursor: ByteCursor) {
        var c = cursor
        if c.seek(UInt8(ascii: "<")), c.skip("<--- ") {
            if c.startsWith("Last few GCs") {
                linesLeftInBlock = Self.blockLineLimit
                return
            }
            linesLeftInBlock = 0
            return
        }
        guard isInsideLastFewGCs else { return }
        var f = cursor
        while f.seek(UInt8(ascii: "F")) {
            if f.startsWith("FATAL ERROR") { linesLeftInBlock = 0; return }
            f.advance()
        }
        countBlockLine()
    }

    @inline(__always) private mutating func countBlockLine() {
        if linesLeftInBlock > 0 { linesLeftInBlock -= 1 }
    }
}
