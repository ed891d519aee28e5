// libFuzzer target: one line of arbitrary bytes through GCTraceParser, then
// every figure of the record through the arithmetic the detectors do on it.
// Any trap (overflow, bounds, ASan) is a crash.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGCTraceLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var parser = GCTraceParser()
    guard let record = parser.parse(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    var watch = LeakWatch(heapLimit: 1 << 30)
    _ = watch.observe(record)
    var learning = LeakWatch()
    _ = learning.observe(record)
    return 0
}
