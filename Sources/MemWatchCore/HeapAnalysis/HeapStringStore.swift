/// The snapshot's `strings` table packed into one byte buffer with offsets: one allocation
/// instead of one `String` per entry. Entries the reader chose not to keep read as "".
public struct HeapStringStore: Sendable {
    private var bytes: [UInt8] = []
    private var offsets: [Int] = [0]

    public init() {}

    public var count: Int { offsets.count - 1 }

    mutating func append(_ utf8: [UInt8]) {
        bytes.append(contentsOf: utf8)
        offsets.append(bytes.count)
    }

    mutating func appendEmpty() {
        offsets.append(bytes.count)
    }

    mutating func reserve(strings: Int) {
        offsets.reserveCapacity(strings + 1)
    }

    public subscript(index: Int) -> String {
        guard index >= 0 && index < count else { return "" }
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[offsets[index]..<offsets[index + 1]]), as: UTF8.self)
        }
    }

    /// True when the entry is a non-empty run of ASCII digits (an index written as a name).
    public func isDigits(_ index: Int) -> Bool {
        guard index >= 0 && index < count, offsets[index + 1] > offsets[index] else { return false }
        for i in offsets[index]..<offsets[index + 1] where bytes[i] < UInt8(ascii: "0") || bytes[i] > UInt8(ascii: "9") {
            return false
        }
        return true
    }

    /// Index of the first entry equal to `text`, or nil.
    public func firstIndex(of text: String) -> Int? {
        let target = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { all in
            for i in 0..<count where offsets[i + 1] - offsets[i] == target.count {
                if all[offsets[i]..<offsets[i + 1]].elementsEqual(target) { return i }
            }
            return nil
        }
    }
}
