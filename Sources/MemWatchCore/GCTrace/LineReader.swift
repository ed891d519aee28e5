import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor in large chunks and hands out each line as bytes in
/// the reader's own buffer: no allocation per line, constant memory whatever
/// the input size. Works on files and pipes (a read blocks until data comes).
///
/// A line is handed out without its `\n` or `\r\n`; a last line without a
/// newline is handed out at the end. A line longer than the buffer is handed
/// out cut to the buffer's size and the rest of it skipped (a GC trace line is
/// a few hundred bytes; the parser rejects a cut line).
public struct LineReader: ~Copyable {
    private let fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer

    /// `fileDescriptor` stays open and owned by the caller.
    public init(fileDescriptor: Int32, bufferSize: Int = 1 << 20) {
        precondition(bufferSize >= 2)
        fd = fileDescriptor
        buffer = .allocate(byteCount: bufferSize, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Calls `body` with each line until the end of input. The bytes are valid
    /// only during the call. Throws `LineReaderError` if a read fails.
    public mutating func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let base = buffer.baseAddress!
        let capacity = buffer.count
        var filled = 0          // bytes in the buffer
        var skippingLongLine = false
        while true {
            let count = try readSome(into: base + filled, max: capacity - filled)
            if count == 0 {
                if filled > 0, !skippingLongLine { try body(Self.line(base, filled)) }
                return
            }
            let end = filled + count
            var start = 0
            // Search only the new bytes: the carried-over ones hold no newline.
            var searchFrom = filled
            while let found = memchr(base + searchFrom, 0x0A, end - searchFrom) {
                let newline = base.distance(to: found)
                if skippingLongLine {
                    skippingLongLine = false
                } else {
                    try body(Self.line(base + start, newline - start))
                }
                start = newline + 1
                searchFrom = start
            }
            filled = end - start
            if filled == capacity {
                // One line fills the whole buffer: hand out its start, drop the rest.
                if !skippingLongLine { try body(Self.line(base, filled)) }
                skippingLongLine = true
                filled = 0
            } else if start > 0, filled > 0 {
                memmove(base, base + start, filled)
            }
        }
    }

    @inline(__always) private static func line(_ start: UnsafeMutableRawPointer, _ count: Int) -> UnsafeRawBufferPointer {
        var length = count
        if length > 0, start.load(fromByteOffset: length - 1, as: UInt8.self) == 0x0D { length -= 1 }
        return UnsafeRawBufferPointer(start: start, count: length)
    }

    private func readSome(into destination: UnsafeMutableRawPointer, max: Int) throws(LineReaderError) -> Int {
        do {
            return try SystemCall.value { read(fd, destination, max) }
        } catch {
            throw LineReaderError(failure: error)
        }
    }
}

/// A failed read, with the system's reason.
public struct LineReaderError: Error, CustomStringConvertible {
    public var failure: Errno
    public var description: String { "read failed: \(failure)" }
}
