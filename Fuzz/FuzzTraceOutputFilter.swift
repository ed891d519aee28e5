// libFuzzer target: arbitrary bytes through TraceOutputFilter in
// fuzzer-chosen chunks. Checked: with keepTrace the output is the input, byte
// for byte; without it, the output is the input less the lines it reported
// as trace (each from a `[` to its newline, plus the continuation line of
// Node 26's memory-pool line), so every byte is accounted for.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTraceOutputFilter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let chunks = input.splitData()
    let stream = Array(UnsafeRawBufferPointer(rebasing: input.bytes[input.offset...]))

    let kept = filtered(chunks, keepTrace: true)
    precondition(kept.app == stream, "keepTrace: output differs from input")
    let dropped = filtered(chunks, keepTrace: false)
    precondition(dropped.records == kept.records, "keepTrace changed which lines are trace")
    precondition(accountsForEveryByte(stream, dropped), "app bytes lost, changed or reordered")
    return 0
}

/// What a filter gave, in order: app bytes and trace records interleaved.
/// App bytes go into one array and events keep their lengths (no allocation
/// per event: the fuzzer's speed is spent on the filter).
private struct RecordingSink: TraceOutputSink {
    enum Event { case app(count: Int), trace }
    var events: [Event] = []
    var app: [UInt8] = []
    var records: [GCTraceRecord] = []

    mutating func appOutput(_ bytes: UnsafeRawBufferPointer) {
        events.append(.app(count: bytes.count))
        app.append(contentsOf: bytes)
    }

    mutating func traceRecord(_ record: GCTraceRecord) {
        events.append(.trace)
        records.append(record)
    }
}

private func filtered(_ chunks: [UnsafeRawBufferPointer], keepTrace: Bool) -> RecordingSink {
    var filter = TraceOutputFilter(keepTrace: keepTrace)
    var sink = RecordingSink()
    for chunk in chunks { filter.feed(chunk, into: &sink) }
    filter.flush(into: &sink)
    return sink
}

private let zoneReservationsLine = Array(", removed zone reservations: ".utf8)

/// Replays the sink's events against `input`: app bytes must come next in
/// the input; a trace record means a line starting with `[` was removed right
/// there; a zone-reservations line may be removed after it. Nothing else may
/// be missing.
private func accountsForEveryByte(_ input: [UInt8], _ sink: RecordingSink) -> Bool {
    var position = 0
    var appPosition = 0
    func skipLine(startingWith prefix: [UInt8]) -> Bool {
        guard input[position...].starts(with: prefix),
              let newline = input[position...].firstIndex(of: UInt8(ascii: "\n")) else { return false }
        position = newline + 1
        return true
    }
    var afterTraceLine = false
    for event in sink.events {
        switch event {
        case .trace:
            guard skipLine(startingWith: [UInt8(ascii: "[")]) else { return false }
            afterTraceLine = true
        case .app(let count):
            let bytes = sink.app[appPosition..<(appPosition + count)]
            appPosition += count
            if afterTraceLine, !input[position...].starts(with: bytes) {
                _ = skipLine(startingWith: zoneReservationsLine)
            }
            guard input[position...].starts(with: bytes) else { return false }
            position += count
            afterTraceLine = false
        }
    }
    if afterTraceLine, position < input.count { _ = skipLine(startingWith: zoneReservationsLine) }
    return position == input.count
}
