/// The lines `--trace-gc-verbose` prints after each collection
/// (`Heap::PrintShortHeapStatistics`):
/// `Old space,              used:   2476 KB, available:      7 KB, committed:   2528 KB`
/// `Memory allocator,       used:   5096 KB, available: 4238360 KB`
/// `External memory reported:     10 KB`, `Backing store memory:   1097 KB`,
/// `External memory global 0 KB` (`global:` in Node 26). Available sizes may carry a `*` while
/// sweeping is in progress.
enum VerboseTraceLine {
    private static let kilobyte: Int64 = 1024

    static func parse(id: IsolateID, _ c: inout ByteCursor, strings: inout ByteStringInterner) -> GCTraceRecord? {
        if c.startsWith("External memory reported:") || c.startsWith("Backing store memory:")
            || c.startsWith("External memory global") {
            return externalMemory(id: id, &c)
        }
        return spaceUsage(id: id, &c, strings: &strings)
    }

    private static func externalMemory(id: IsolateID, _ c: inout ByteCursor) -> GCTraceRecord? {
        let kind: ExternalMemory.Kind
        if c.skip("External memory reported:") { kind = .reported }
        else if c.skip("Backing store memory:") { kind = .backingStore }
        else if c.skip("External memory global") { kind = .global; _ = c.skip(UInt8(ascii: ":")) }  // `:` since V8 14
        else { return nil }
        c.skipSpaces()
        // V8 prints the reported figure as a signed 64-bit number.
        let negative = c.skip(UInt8(ascii: "-"))
        guard let bytes = c.bytes(unit: kilobyte), c.skip(" KB"), c.isAtEnd || c.current == UInt8(ascii: " ") else {
            return nil
        }
        return .externalMemory(ExternalMemory(id: id, kind: kind, bytes: negative ? -bytes : bytes))
    }

    private static func spaceUsage(id: IsolateID, _ c: inout ByteCursor, strings: inout ByteStringInterner) -> GCTraceRecord? {
        let nameStart = c.position
        guard c.seekNear(UInt8(ascii: ",")) else { return nil }
        let nameEnd = c.position
        guard nameEnd > nameStart, nameEnd - nameStart <= 48 else { return nil }
        c.advance()
        c.skipSpaces()
        guard c.skip("used:"), let used = figure(&c), c.skip(", available:"), let available = figure(&c) else {
            return nil
        }
        var committed: Int64?
        if c.skip(", committed:") {
            guard let value = figure(&c) else { return nil }
            committed = value
        }
        guard c.isAtEnd || c.current == UInt8(ascii: " ") else { return nil }
        let name = strings.string(UnsafeBufferPointer(start: nameStart, count: nameEnd - nameStart))
        // Only the allocator line has no committed figure; elsewhere its absence means a cut.
        guard committed != nil || name == "Memory allocator" else { return nil }
        return .spaceUsage(SpaceUsage(id: id, space: name, usedBytes: used, availableBytes: available,
                                      committedBytes: committed))
    }

    /// `   2476 KB` or `   7 KB*`, in bytes.
    private static func figure(_ c: inout ByteCursor) -> Int64? {
        c.skipSpaces()
        guard let bytes = c.bytes(unit: kilobyte), c.skip(" KB") else { return nil }
        _ = c.skip(UInt8(ascii: "*"))
        return bytes
    }
}
