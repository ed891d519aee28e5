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

struct NodeColumnsSink: HeapIntSink {
    enum Role: UInt8 { case ignore, type, name, id, selfSize, edgeCount }
    private let roles: [Role]
    private var field = 0
    private var ordinal = 0
    let typeLimit: Int

    var types: [UInt8] = []
    var names: [UInt32] = []
    var ids: [UInt32] = []
    var selfSizes: [UInt32] = []
    var largeSelfSizes: [Int32: Int] = [:]
    var edgeCounts: [Int32] = []
    var maxName = -1
    /// The first value that does not fit its column, reported after the array.
    var firstInvalid: (field: String, node: Int, value: Int)?

    init(meta: HeapSnapshotMeta, reserve: Int, keepIDs: Bool = true, keepEdgeCounts: Bool = true) {
        var roles = [Role](repeating: .ignore, count: meta.nodeFields.count)
        roles[meta.nodeTypeField] = .type
        roles[meta.nodeNameField] = .name
        if keepIDs { roles[meta.nodeIdField] = .id }
        roles[meta.nodeSelfSizeField] = .selfSize
        if keepEdgeCounts { roles[meta.nodeEdgeCountField] = .edgeCount }
        self.roles = roles
        typeLimit = meta.nodeTypes.count
        types.reserveCapacity(reserve)
        names.reserveCapacity(reserve)
        if keepIDs { ids.reserveCapacity(reserve) }
        selfSizes.reserveCapacity(reserve)
        if keepEdgeCounts { edgeCounts.reserveCapacity(reserve + 1) }
    }

    var isAtRowBoundary: Bool { field == 0 }
    var fieldCount: Int { roles.count }

    private mutating func invalid(_ name: String, _ value: Int) {
        if firstInvalid == nil { firstInvalid = (name, ordinal, value) }
    }

    @inline(__always)
    mutating func put(_ value: Int) {
        switch roles[field] {
        case .ignore:
            break
        case .type:
            if value < 0 || value >= typeLimit { invalid("type", value) }
            types.append(UInt8(truncatingIfNeeded: value))
        case .name:
            if value < 0 || value > Int(UInt32.max) { invalid("name", value) }
            if value > maxName { maxName = value }
            names.append(UInt32(truncatingIfNeeded: value))
        case .id:
            if value < 0 || value > Int(UInt32.max) { invalid("id", value) }
            ids.append(UInt32(truncatingIfNeeded: value))
        case .selfSize:
            if value < 0 { invalid("self_size", value) }
            if value >= Int(UInt32.max) {
                largeSelfSizes[Int32(truncatingIfNeeded: ordinal)] = value
                selfSizes.append(UInt32.max)
            } else {
                selfSizes.append(UInt32(truncatingIfNeeded: value))
            }
        case .edgeCount:
            if value < 0 || value > Int(Int32.max) { invalid("edge_count", value) }
            edgeCounts.append(Int32(truncatingIfNeeded: value))
        }
        field += 1
        if field == roles.count {
            field = 0
            ordinal += 1
        }
    }
}

struct EdgeColumnsSink: HeapIntSink {
    enum Role: UInt8 { case ignore, type, name, target }
    private let roles: [Role]
    private var field = 0
    private let nodeFieldCount: Int
    private let keepNames: Bool
    let typeLimit: Int

    var types: [UInt8] = []
    var names: [UInt32] = []
    var targets: [Int32] = []
    var maxTarget = -1
    var firstInvalid: (field: String, edge: Int, value: Int)?

    init(meta: HeapSnapshotMeta, keepNames: Bool, reserve: Int) {
        var roles = [Role](repeating: .ignore, count: meta.edgeFields.count)
        roles[meta.edgeTypeField] = .type
        roles[meta.edgeNameField] = keepNames ? .name : .ignore
        roles[meta.edgeToNodeField] = .target
        self.roles = roles
        self.keepNames = keepNames
        nodeFieldCount = meta.nodeFields.count
        typeLimit = meta.edgeTypes.count
        types.reserveCapacity(reserve)
        targets.reserveCapacity(reserve)
        if keepNames { names.reserveCapacity(reserve) }
    }

    var isAtRowBoundary: Bool { field == 0 }

    private mutating func invalid(_ name: String, _ value: Int) {
        if firstInvalid == nil { firstInvalid = (name, targets.count, value) }
    }

    @inline(__always)
    mutating func put(_ value: Int) {
        switch roles[field] {
        case .ignore:
            break
        case .type:
            if value < 0 || value >= typeLimit { invalid("type", value) }
            types.append(UInt8(truncatingIfNeeded: value))
        case .name:
            if value < 0 || value > Int(UInt32.max) { invalid("name_or_index", value) }
            names.append(UInt32(truncatingIfNeeded: value))
        case .target:
            let (node, rest) = divideByFieldCount(value, nodeFieldCount)
            if rest != 0 || value < 0 || node > Int(Int32.max) { invalid("to_node", value) }
            if node > maxTarget { maxTarget = node }
            targets.append(Int32(truncatingIfNeeded: node))
        }
        field += 1
        if field == roles.count { field = 0 }
    }
}

/// Holds a `nodes` or `edges` array that came before `snapshot.meta`, until the layout is known.
struct RawIntSink: HeapIntSink {
    var values: [Int] = []
    @inline(__always)
    mutating func put(_ value: Int) { values.append(value) }
}
