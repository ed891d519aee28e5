// libFuzzer target: arbitrary bytes as a .heapsnapshot file through
// HeapSnapshotReader (and, when it reads, the summary built on the graph).
// The reader must throw on bad input, never trap.

private let file = ScratchFile()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeapSnapshotReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    file.replaceContents(with: UnsafeRawBufferPointer(start: data, count: size))
    // The reader's smallest chunk: every token may straddle a refill, and no
    // 8 MB buffer per input.
    guard let graph = try? HeapSnapshotReader.read(path: file.path, options: .init(), progress: nil, chunkSize: 128)
    else { return 0 }
    _ = HeapSummary(graph: graph)
    return 0
}
