#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gives the same `String` back for the same bytes, so reasons and variants,
/// which repeat on nearly every trace line, cost no allocation after the
/// first time. Bounded: past `capacity` distinct strings (garbage input) new
/// ones are made but not kept.
struct ByteStringInterner: Sendable {
    private static let slotCount = 512
    private static let capacity = 256
    private static let storageLimit = 16 * 1024

    /// Hash slot → entry index, -1 when free.
    private var slots = [Int32](repeating: -1, count: ByteStringInterner.slotCount)
    private var hashes: [UInt64] = []
    private var offsets: [Int] = []
    private var lengths: [Int] = []
    /// Every kept string's bytes, one after another.
    private var storage: [UInt8] = []
    private var strings: [String] = []
    /// The entry returned last: consecutive lines usually give the same reason.
    private var last = -1

    /// The string for `bytes`; `make` builds it the first time (default: UTF-8
    /// decoding, invalid sequences repaired).
    mutating func string(
        _ bytes: UnsafeBufferPointer<UInt8>,
        make: (UnsafeBufferPointer<UInt8>) -> String = { String(decoding: $0, as: UTF8.self) }
    ) -> String {
        let count = bytes.count
        guard count > 0, let start = bytes.baseAddress else { return "" }
        if last >= 0, lengths[last] == count, equals(entry: last, start, count) { return strings[last] }
        let hash = Self.hash(start, count)
        var slot = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        while case let index = Int(slots[slot]), index >= 0 {
            if hashes[index] == hash, lengths[index] == count, equals(entry: index, start, count) {
                last = index
                return strings[index]
            }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
        let string = make(bytes)
        if strings.count < Self.capacity, storage.count + count <= Self.storageLimit {
            slots[slot] = Int32(strings.count)
            last = strings.count
            hashes.append(hash)
            offsets.append(storage.count)
            lengths.append(count)
            storage.append(contentsOf: bytes)
            strings.append(string)
        }
        return string
    }

    @inline(__always) private func equals(entry: Int, _ start: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        storage.withUnsafeBufferPointer { memcmp($0.baseAddress! + offsets[entry], start, count) == 0 }
    }

    /// FNV-1a over 8-byte words, then the tail bytes.
    @inline(__always) private static func hash(_ start: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let prime: UInt64 = 0x0000_0100_0000_01b3
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(count)
        let raw = UnsafeRawPointer(start)
        var i = 0
        while i + 8 <= count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* prime
            hash ^= hash >> 29
            i += 8
        }
        while i < count {
            hash = (hash ^ UInt64(start[i])) &* prime
            i += 1
        }
        return hash
    }
}
