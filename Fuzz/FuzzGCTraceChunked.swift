#if canImport(Glibc)
import Glibc
#endif

// libFuzzer target: arbitrary bytes as a GC log, read by GCTraceFileScanner
// (LineReader + GCTraceParser) with a fuzzer-chosen buffer size and the
// records fed to LeakWatch, as `memwatchd analyze` does. Checked: no trap, and
// the lines the reader hands out are the input's lines whatever the buffer
// size (lines longer than the buffer cut to it).

private let file = ScratchFile()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGCTraceChunked(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let bufferSize = 2 + Int(input.byte())
    let log = UnsafeRawBufferPointer(rebasing: input.bytes[min(input.offset, size)...])
    file.replaceContents(with: log)

    var lines: [[UInt8]] = []
    var reader = LineReader(fileDescriptor: file.fd, bufferSize: bufferSize)
    try! reader.forEachLine { lines.append(Array($0)) }
    precondition(lines == expectedLines(log, bufferSize: bufferSize), "LineReader lost or changed bytes")

    file.rewind()
    var watch = LeakWatch()
    let summary = try! GCTraceFileScanner.scan(fileDescriptor: file.fd) { _ = watch.observe($0) }
    precondition(summary.lines == expectedLines(log, bufferSize: 1 << 20).count)
    _ = watch.leaks
    return 0
}

/// The input's lines as LineReader's contract states them: without `\n` or
/// `\r\n`, a last line without newline included, a line that does not fit in
/// the buffer (with its newline) handed out as its first `bufferSize` bytes.
private func expectedLines(_ log: UnsafeRawBufferPointer, bufferSize: Int) -> [[UInt8]] {
    var result: [[UInt8]] = []
    var start = 0
    while start < log.count {
        var end = start
        while end < log.count, log[end] != 0x0A { end += 1 }
        let hasNewline = end < log.count
        var line = Array(log[start..<end])
        if line.count >= bufferSize && (hasNewline || line.count > bufferSize) || line.count == bufferSize && hasNewline {
            line = Array(line.prefix(bufferSize))
        }
        if line.last == 0x0D { line.removeLast() }
        result.append(line)
        start = end + 1
    }
    return result
}
