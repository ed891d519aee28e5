/// The reasons V8 gives for a collection (`GarbageCollectionReason` in
/// `src/common/globals.h`, plus older ones). Node 8–18 printed the reason and
/// the collector's reason with only a space between, so the reason's end is
/// found by recognising it.
enum KnownGCReasons {
    // Longest first, so the first match is the longest. `String` literals are
    // immortal: events that carry them cost no reference counting.
    static let all: [String] = [
        "finalize incremental marking via stack guard",
        "finalize incremental marking via task",
        "background allocation failure",
        "finalize concurrent MinorMS",
        "CppHeap allocation failure",
        "external memory pressure",
        "low memory notification",
        "global allocation limit",
        "make heap iterable",
        "allocation failure",
        "counters extension",
        "external finalize",
        "sampling profiler",
        "snapshot creator",
        "context disposal",
        "allocation limit",
        "memory pressure",
        "full hash-table",
        "measure memory",
        "memory reducer",
        "heap profiler",
        "deserialize",
        "last resort",
        "idle task",
        "debugger",
        "testing",
        "runtime",
        "unknown",
        "task",
    ]

    /// The length of the longest known reason `cursor` starts with, followed by
    /// a space or the end of the line.
    static func longestPrefix(_ cursor: ByteCursor) -> Int? {
        for reason in all {
            guard let count = reason.utf8.withContiguousStorageIfAvailable({ cursor.startsWith($0) ? $0.count : nil }) ?? nil
            else { continue }
            let next = cursor.byte(at: count)
            if next == 0 && cursor.remaining == count || next == UInt8(ascii: " ") { return count }
        }
        return nil
    }

    /// The known reason spelled by `bytes` (the literal itself), or nil.
    static func literal(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        all.first { $0.utf8.elementsEqual(bytes) }
    }
}
