/// A set of signals as /proc/PID/status prints it (`SigCgt:	0000000000004a02`):
/// a hex mask in which signal N is bit N-1.
public struct SignalSet: Sendable, Hashable {
    public var mask: UInt64

    public init(mask: UInt64) { self.mask = mask }

    /// Parses the hex digits of a `SigCgt`/`SigBlk`/`SigIgn` field; nil if malformed.
    public init?(hex: Substring) {
        let trimmed = hex.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
        guard !trimmed.isEmpty, let mask = UInt64(trimmed, radix: 16) else { return nil }
        self.mask = mask
    }

    public func contains(_ signal: Int32) -> Bool {
        guard signal >= 1 && signal <= 64 else { return false }
        return mask & (1 << UInt64(signal - 1)) != 0
    }
}

extension Substring {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        var start = startIndex
        while start < endIndex, predicate(self[start]) { start = index(after: start) }
        return self[start...]
    }
}
