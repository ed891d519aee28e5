// libFuzzer target: arbitrary bytes through TraceOutputFilter in
// fuzzer-chosen chunks, read as a stream and as a packet pipe's writes.
// Checked: with keepTrace the output is the input, byte for byte, and the
// same lines are found trace either way; without keepTrace the output is
// the input with bytes taken out, nothing added, changed or reordered.
// (Which bytes may go is the unit tests' business: a record can now stand
// for a line left in the output, one quoted inside an app write, so a
// replay of records against the input is ambiguous.)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTraceOutputFilter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let chunks = input.splitData()
    let stream = Array(UnsafeRawBufferPointer(rebasing: input.bytes[input.offset...]))

    for writes in [false, true] {
        let kept = filtered(chunks, keepTrace: true, feedsAreWrites: writes)
        precondition(kept.app == stream, "keepTrace: output differs from input")
        let dropped = filtered(chunks, keepTrace: false, feedsAreWrites: writes)
        precondition(dropped.records == kept.records, "keepTrace changed which lines are trace")
        precondition(isSubsequence(dropped.app, of: stream), "app bytes added, changed or reordered")
    }
    return 0
}

/// What a filter gave: its app bytes and its trace records.
private struct RecordingSink: TraceOutputSink {
    var app: [UInt8] = []
    var records: [GCTraceRecord] = []

    mutating func appOutput(_ bytes: UnsafeRawBufferPointer) { app.append(contentsOf: bytes) }
    mutating func traceRecord(_ record: GCTraceRecord) { records.append(record) }
}

private func filtered(_ chunks: [UnsafeRawBufferPointer], keepTrace: Bool, feedsAreWrites: Bool) -> RecordingSink {
    var filter = TraceOutputFilter(keepTrace: keepTrace, feedsAreWrites: feedsAreWrites)
    var sink = RecordingSink()
    for chunk in chunks { filter.feed(chunk, into: &sink) }
    filter.finish(into: &sink)
    return sink
}

/// `output` is `input` with bytes left out: none added, changed or moved
/// (a greedy match decides a subsequence exactly).
private func isSubsequence(_ output: [UInt8], of input: [UInt8]) -> Bool {
    var position = 0
    for byte in output {
        while position < input.count, input[position] != byte { position += 1 }
        guard position < input.count else { return false }
        position += 1
    }
    return true
}
