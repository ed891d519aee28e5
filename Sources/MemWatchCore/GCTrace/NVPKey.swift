#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--trace-gc-nvp` keys the parser reads (V8's `GCTracer::PrintNVP`), as
/// `name=value` (Node ≤ 24) or JSON members (Node 25+).
enum NVPKey {
    case pause, gc, reduceMemory, interleaved
    /// Heap in use: `total_size_before/after` (V8 ≤ 12), `start/end_object_size` (V8 13+).
    case sizeBefore, sizeAfter
    /// Heap committed: `start/end_memory_size` (V8 13+).
    case memoryBefore, memoryAfter
    /// The GC's reason: JSON only (Node 25+); the `name=value` form has none.
    case reason
    case other

    @inline(__always) init(_ key: UnsafeBufferPointer<UInt8>) {
        func equals(_ literal: StaticString) -> Bool {
            key.count == literal.utf8CodeUnitCount && memcmp(key.baseAddress!, literal.utf8Start, key.count) == 0
        }
        switch key.count {
        case 2 where equals("gc"): self = .gc
        case 5 where equals("pause"): self = .pause
        case 6 where equals("reason"): self = .reason
        case 11 where equals("interleaved"): self = .interleaved
        case 13 where equals("reduce_memory"): self = .reduceMemory
        case 15 where equals("end_memory_size"): self = .memoryAfter
        case 15 where equals("end_object_size"): self = .sizeAfter
        case 16 where equals("total_size_after"): self = .sizeAfter
        case 17 where equals("total_size_before"): self = .sizeBefore
        case 17 where equals("start_object_size"): self = .sizeBefore
        case 17 where equals("start_memory_size"): self = .memoryBefore
        default: self = .other
        }
    }
}
