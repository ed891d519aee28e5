/// What a snapshot file can hold, so no figure it declares is trusted beyond that: counts are
/// bounded by the file's size before anything is reserved from them, and sizes by what a V8
/// heap can hold, so no sum of them can overflow.
struct HeapSnapshotBounds: Sendable {
    /// V8 addresses its heap with 48-bit pointers: no object, and no heap, is larger.
    static let maxHeapBytes = 1 << 48

    let fileSize: Int

    /// Each number of a flat array takes at least one digit and a separator.
    func maxRows(fieldCount: Int) -> Int { fileSize / 2 / max(fieldCount, 1) }

    /// Each string takes at least its two quotes and a separator.
    var maxStrings: Int { fileSize / 3 }
}
