#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gives the same `String` back for the same bytes, so reasons and variants,
/// which repeat on nearly every trace line, cost no allocation after the
/// first time. Bounded: past `capacity` distinct strings (garbage input)
/// new ones are made but not kept.
struct ByteStringInterner: Sendable {
    private struct Entry: Sendable {
        var hash: UInt64
        var bytes: [UInt8]
        var string: String
    }

    private static let slotCount = 256
    private static let capacity = 192
    private var slots: [Entry?] = Array(repeating: nil, count: ByteStringInterner.slotCount)
    private var count = 0

    /// The string for `bytes`; `make` builds it the first time (default: UTF-8 decoding,
    /// invalid sequences repaired).
    mutating func string(
        _ bytes: UnsafeBufferPointer<UInt8>,
        make: (UnsafeBufferPointer<UInt8>) -> String = { String(decoding: $0, as: UTF8.self) }
    ) -> String {
        guard bytes.count > 0 else { return "" }
        let hash = Self.fnv1a(bytes)
        var slot = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        while let entry = slots[slot] {
            if entry.hash == hash, entry.bytes.count == bytes.count,
               entry.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
                return entry.string
            }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
        let string = make(bytes)
        if count < Self.capacity {
            slots[slot] = Entry(hash: hash, bytes: Array(bytes), string: string)
            count += 1
        }
        return string
    }

    @inline(__always) private static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
