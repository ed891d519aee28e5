// libFuzzer target: arbitrary bytes as a GC log, read as `memwatchd analyze`
// reads one (LineReader, GCTraceParser, LeakWatch) but with a fuzzer-chosen
// buffer size, so lines are cut across reads at every offset. Checked: no
// trap, and the lines the reader hands out are the input's lines (a line
// longer than the buffer cut to it), whatever the buffer size.
// (GCTraceFileScanner itself adds only counting, on a fixed 1 MB buffer.)

private let file = ScratchFile()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGCTraceChunked(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let bufferSize = 2 + Int(input.byte())
    let log = UnsafeRawBufferPointer(rebasing: input.bytes[input.offset...])
    file.replaceContents(with: log)

    var lines: [[UInt8]] = []
    var parser = GCTraceParser()
    var watch = LeakWatch()
    var reader = LineReader(fileDescriptor: file.fd, bufferSize: bufferSize)
    try! reader.forEachLine { line in
        lines.append(Array(line))
        if let record = parser.parse(line) { _ = watch.observe(record) }
    }
    precondition(lines == expectedLines(log, bufferSize: bufferSize), "LineReader lost or changed bytes")
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
