/// The snapshot's `strings` table packed into one byte buffer with offsets: one allocation
/// instead of one `String` per entry. Entries the reader chose not to keep read as "".
/// Offsets are 32-bit: a snapshot holds millions of strings, and 4 bytes each instead of 8
/// is a large share of a `--no-retained` summary's memory.
public struct HeapStringStore: Sendable {
    private var bytes: [UInt8] = []
    private var offsets: [UInt32] = [0]

    /// The most string bytes 32-bit offsets can address.
    static let byteLimit = Int(UInt32.max)

    public init() {}

    public var count: Int { offsets.count - 1 }

    /// Whether `length` more bytes still fit the 32-bit offsets.
    func canAppend(_ length: Int) -> Bool { bytes.count + length <= Self.byteLimit }

    /// The caller checks `canAppend` first.
    mutating func append(_ utf8: [UInt8]) {
        bytes.append(contentsOf: utf8)
        offsets.append(UInt32(bytes.count))
    }

    mutating func appendEmpty() {
        offsets.append(UInt32(bytes.count))
    }

    private func start(_ index: Int) -> Int { Int(offsets[index]) }
    private func end(_ index: Int) -> Int { Int(offsets[index + 1]) }

    mutating func reserve(strings: Int) {
        offsets.reserveCapacity(strings + 1)
    }

    public subscript(index: Int) -> String {
        guard index >= 0 && index < count else { return "" }
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start(index)..<end(index)]), as: UTF8.self)
        }
    }

    /// True when the entry is a non-empty run of ASCII digits (an index written as a name).
    public func isDigits(_ index: Int) -> Bool {
        guard index >= 0 && index < count, end(index) > start(index) else { return false }
        for i in start(index)..<end(index) where bytes[i] < UInt8(ascii: "0") || bytes[i] > UInt8(ascii: "9") {
            return false
        }
        return true
    }

    /// Index of the first entry equal to `text`, or nil.
    public func firstIndex(of text: String) -> Int? {
        let target = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { all in
            for i in 0..<count where end(i) - start(i) == target.count {
                if all[start(i)..<end(i)].elementsEqual(target) { return i }
            }
            return nil
        }
    }
}
