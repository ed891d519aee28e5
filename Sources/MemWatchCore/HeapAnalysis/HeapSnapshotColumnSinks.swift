/// Splits the flat `nodes` and `edges` integer streams into one typed column per field the
/// analysis uses; fields it does not use (trace_node_id, detachedness...) are dropped.

/// Divides by the row width with a constant divisor for the usual widths (the compiler turns
/// those into a multiply), since every edge target needs one division.
@inline(__always)
func divideByFieldCount(_ value: Int, _ fieldCount: Int) -> (quotient: Int, remainder: Int) {
    switch fieldCount {
    case 7: return (value / 7, value % 7)
    case 6: return (value / 6, value % 6)
    case 5: return (value / 5, value % 5)
    case 8: return (value / 8, value % 8)
    default: return (value / fieldCount, value % fieldCount)
    }
}

/// The first value of a `nodes` or `edges` array outside its field's range, reported after the
/// array (the sinks do not throw, to keep the hot loop lean).
struct HeapInvalidValue {
    let field: String
    let row: Int
    let value: Int
    let expected: String
}

struct NodeColumnsSink: HeapIntSink {
    enum Role: UInt8 { case ignore, type, name, id, selfSize, edgeCount }
    private let roles: [Role]
    private var field = 0
    private var ordinal = 0
    private let keepEdgeCounts: Bool
    let typeLimit: Int
    /// Name indexes are checked against the strings table after it is read; this bound (what
    /// the file can hold) keeps anything sized by the largest name proportional to the file.
    let nameLimit: Int

    var types: [UInt8] = []
    var names: [UInt32] = []
    var ids: [UInt32] = []
    var selfSizes: [UInt32] = []
    var largeSelfSizes: [Int32: Int] = [:]
    var edgeCounts: [Int32] = []
    var maxName = -1
    /// The sum of all self sizes, at most `HeapSnapshotBounds.maxHeapBytes`, so no sum of
    /// sizes an analysis forms can overflow.
    private(set) var selfSizeTotal = 0
    /// The sum of all edge counts, saturated just past 2^31 (more edges are refused anyway).
    private(set) var edgeCountTotal = 0
    private(set) var firstInvalid: HeapInvalidValue?

    init(meta: HeapSnapshotMeta, bounds: HeapSnapshotBounds, reserve: Int, keepIDs: Bool = true,
         keepEdgeCounts: Bool = true) {
        var roles = [Role](repeating: .ignore, count: meta.nodeFields.count)
        roles[meta.nodeTypeField] = .type
        roles[meta.nodeNameField] = .name
        if keepIDs { roles[meta.nodeIdField] = .id }
        roles[meta.nodeSelfSizeField] = .selfSize
        roles[meta.nodeEdgeCountField] = .edgeCount
        self.roles = roles
        self.keepEdgeCounts = keepEdgeCounts
        typeLimit = meta.nodeTypes.count
        nameLimit = min(bounds.maxStrings, Int(UInt32.max))
        types.reserveCapacity(reserve)
        names.reserveCapacity(reserve)
        if keepIDs { ids.reserveCapacity(reserve) }
        selfSizes.reserveCapacity(reserve)
        if keepEdgeCounts { edgeCounts.reserveCapacity(reserve + 1) }
    }

    var isAtRowBoundary: Bool { field == 0 }
    var rowCount: Int { ordinal }

    private mutating func invalid(_ name: String, _ value: Int, expected: String) {
        if firstInvalid == nil { firstInvalid = HeapInvalidValue(field: name, row: ordinal, value: value, expected: expected) }
    }

    @inline(__always)
    mutating func put(_ value: Int) {
        switch roles[field] {
        case .ignore:
            break
        case .type:
            if value < 0 || value >= typeLimit { invalid("type", value, expected: "0..<\(typeLimit), an index into node_types") }
            types.append(UInt8(truncatingIfNeeded: value))
        case .name:
            if value < 0 || value >= nameLimit {
                invalid("name", value, expected: "0..<\(nameLimit), an index into strings")
            } else if value > maxName {
                maxName = value
            }
            names.append(UInt32(truncatingIfNeeded: value))
        case .id:
            if value < 0 || value > Int(UInt32.max) { invalid("id", value, expected: "0...\(UInt32.max)") }
            ids.append(UInt32(truncatingIfNeeded: value))
        case .selfSize:
            if value < 0 || value > HeapSnapshotBounds.maxHeapBytes {
                invalid("self_size", value, expected: "0...\(HeapSnapshotBounds.maxHeapBytes), the most a V8 heap holds")
            } else {
                selfSizeTotal += value  // both at most 2^48: cannot overflow
                if selfSizeTotal > HeapSnapshotBounds.maxHeapBytes {
                    invalid("self_size", value, expected: "self sizes that add up to at most \(HeapSnapshotBounds.maxHeapBytes) bytes")
                }
            }
            if value >= Int(UInt32.max) {
                largeSelfSizes[Int32(truncatingIfNeeded: ordinal)] = value
                selfSizes.append(UInt32.max)
            } else {
                selfSizes.append(UInt32(truncatingIfNeeded: value))
            }
        case .edgeCount:
            if value < 0 || value > Int(Int32.max) {
                invalid("edge_count", value, expected: "0...\(Int32.max)")
            } else {
                edgeCountTotal = min(edgeCountTotal + value, Int(Int32.max) + 1)
            }
            if keepEdgeCounts { edgeCounts.append(Int32(truncatingIfNeeded: value)) }
        }
        field += 1
        if field == roles.count {
            field = 0
            ordinal += 1
        }
    }
}

/// The `edges` columns the options keep; with none kept (`.skip`) it still checks every row,
/// so a file one analysis refuses is not accepted by another.
struct EdgeColumnsSink: HeapIntSink {
    enum Role: UInt8 { case ignore, type, name, target }
    private let roles: [Role]
    private var field = 0
    private var ordinal = 0
    private let nodeFieldCount: Int
    private let keepColumns: Bool
    let typeLimit: Int
    /// Targets are checked against the node count at the end; this bound (what the file can
    /// hold, and what an Int32 column can) applies while reading.
    let targetLimit: Int

    var types: [UInt8] = []
    var names: [UInt32] = []
    var targets: [Int32] = []
    var maxTarget = -1
    private(set) var firstInvalid: HeapInvalidValue?

    init(meta: HeapSnapshotMeta, bounds: HeapSnapshotBounds, keep: HeapSnapshotReadOptions.Edges, reserve: Int) {
        var roles = [Role](repeating: .ignore, count: meta.edgeFields.count)
        roles[meta.edgeTypeField] = .type
        roles[meta.edgeNameField] = keep == .targetsAndNames ? .name : .ignore
        roles[meta.edgeToNodeField] = .target
        self.roles = roles
        keepColumns = keep != .skip
        nodeFieldCount = meta.nodeFields.count
        typeLimit = meta.edgeTypes.count
        targetLimit = min(bounds.maxRows(fieldCount: nodeFieldCount), Int(Int32.max))
        guard keepColumns else { return }
        types.reserveCapacity(reserve)
        targets.reserveCapacity(reserve)
        if keep == .targetsAndNames { names.reserveCapacity(reserve) }
    }

    var isAtRowBoundary: Bool { field == 0 }
    var rowCount: Int { ordinal }

    private mutating func invalid(_ name: String, _ value: Int, expected: String) {
        if firstInvalid == nil { firstInvalid = HeapInvalidValue(field: name, row: ordinal, value: value, expected: expected) }
    }

    @inline(__always)
    mutating func put(_ value: Int) {
        switch roles[field] {
        case .ignore:
            break
        case .type:
            if value < 0 || value >= typeLimit { invalid("type", value, expected: "0..<\(typeLimit), an index into edge_types") }
            if keepColumns { types.append(UInt8(truncatingIfNeeded: value)) }
        case .name:
            if value < 0 || value > Int(UInt32.max) { invalid("name_or_index", value, expected: "0...\(UInt32.max)") }
            names.append(UInt32(truncatingIfNeeded: value))
        case .target:
            let (node, rest) = divideByFieldCount(value, nodeFieldCount)
            if rest != 0 || value < 0 || node >= targetLimit {
                invalid("to_node", value, expected: "a multiple of \(nodeFieldCount) node fields below \(targetLimit * nodeFieldCount)")
            } else if node > maxTarget {
                maxTarget = node
            }
            if keepColumns { targets.append(Int32(truncatingIfNeeded: node)) }
        }
        field += 1
        if field == roles.count {
            field = 0
            ordinal += 1
        }
    }

    /// The first edge whose name is not in a strings table of `stringCount` entries: element
    /// and hidden edges hold an index, every other type names a string.
    func firstNameOutside(stringCount: Int, meta: HeapSnapshotMeta) -> Int? {
        guard !names.isEmpty else { return nil }
        let element = meta.edgeTypes.firstIndex(of: "element") ?? -1
        let hidden = meta.edgeTypes.firstIndex(of: "hidden") ?? -1
        return types.withUnsafeBufferPointer { types in
            names.withUnsafeBufferPointer { names in
                for edge in 0..<names.count where Int(names[edge]) >= stringCount {
                    let type = Int(types[edge])
                    if type != element && type != hidden { return edge }
                }
                return nil
            }
        }
    }
}

/// Holds a `nodes` or `edges` array that came before `snapshot.meta`, until the layout is known.
struct RawIntSink: HeapIntSink {
    var values: [Int] = []
    @inline(__always)
    mutating func put(_ value: Int) { values.append(value) }
}
