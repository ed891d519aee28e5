/// The `[pid:isolate]` V8 puts before every trace line (`PrintIsolate`):
/// `[2216:0x1c054840]`, `[4647:0x1e6c3000:0]` (Node 24 nvp adds a thread
/// number), `[2216:000001D3F2A4C010]` (Windows `%p`), `[2216]` (V8 3.x).
struct TraceLineHeader {
    var id: IsolateID
    /// False for V8 3.x's `[pid]`, which app output uses too.
    var hasIsolate: Bool

    /// Finds the header at the line's start or after a log shipper's prefix
    /// (`0|app  | `, `2024-01-01T00:00:00: `, `Nov 25 12:00:00 host node[123]: `);
    /// leaves `cursor` after the `]`.
    @inline(__always) static func find(_ cursor: inout ByteCursor) -> TraceLineHeader? {
        // A bare `[pid]` may be a syslog tag (`node[123]: [123:0x…] …`, as
        // journalctl prints): a header with an isolate later in the line wins.
        var bare: (header: TraceLineHeader, end: ByteCursor)?
        var attempts = 0
        // Most trace lines start with the header: no search for it then.
        while attempts < 8, cursor.current == UInt8(ascii: "[") || cursor.seek(UInt8(ascii: "[")) {
            cursor.advance()
            var c = cursor
            if let header = parse(&c) {
                if header.hasIsolate {
                    cursor = c
                    return header
                }
                if bare == nil { bare = (header, c) }
            }
            attempts += 1
        }
        guard let bare else { return nil }
        cursor = bare.end
        return bare.header
    }

    @inline(__always) private static func parse(_ c: inout ByteCursor) -> TraceLineHeader? {
        guard let pid = c.integer(), pid <= Int64(Int32.max) else { return nil }
        if c.skip(UInt8(ascii: "]")) {
            return TraceLineHeader(id: IsolateID(pid: Int32(pid), isolate: 0), hasIsolate: false)
        }
        guard c.skip(UInt8(ascii: ":")) else { return nil }
        let prefixed = c.skip("0x") || c.skip("0X")
        let digitsStart = c.position
        guard let isolate = c.hex() else { return nil }
        // Without `0x` only Windows' full-width `%p` (8 or 16 digits): an app's
        // `[10:45]` is a time of day, not an isolate.
        let digits = c.position - digitsStart
        guard prefixed || digits == 16 || digits == 8 else { return nil }
        if c.skip(UInt8(ascii: ":")) {
            guard c.integer() != nil else { return nil }
        }
        guard c.skip(UInt8(ascii: "]")) else { return nil }
        return TraceLineHeader(id: IsolateID(pid: Int32(pid), isolate: isolate), hasIsolate: true)
    }
}
