/// The field layout a snapshot declares in `snapshot.meta`. V8 versions differ (extra node
/// fields such as `detachedness`, `trace_node_id`), so every offset is looked up by name.
public struct HeapSnapshotMeta: Sendable {
    public let nodeFields: [String]
    public let nodeTypes: [String]
    public let edgeFields: [String]
    public let edgeTypes: [String]

    let nodeTypeField: Int
    let nodeNameField: Int
    let nodeIdField: Int
    let nodeSelfSizeField: Int
    let nodeEdgeCountField: Int
    let edgeTypeField: Int
    let edgeNameField: Int
    let edgeToNodeField: Int

    /// Counts the header announces, each at most what the file can hold; used to reserve
    /// capacity and to check the arrays.
    let nodeCount: Int?
    let edgeCount: Int?
    let rootIndex: Int

    init(header: HeapSnapshotHeaderValue, path: String, byteOffset: Int, bounds: HeapSnapshotBounds) throws {
        func unsupported(_ message: String) -> HeapSnapshotError {
            HeapSnapshotError(.unsupportedFormat, path: path, byteOffset: byteOffset, message: message)
        }
        func malformed(_ message: String) -> HeapSnapshotError {
            HeapSnapshotError(.malformed, path: path, byteOffset: byteOffset, message: message)
        }
        /// A count the file must have room for: `fieldCount` numbers per item.
        func count(_ key: String, fieldCount: Int) throws -> Int? {
            guard let value = header[key] else { return nil }
            guard let count = value.int else { throw malformed("snapshot.\(key) is not a count (a non-negative integer below 10^15)") }
            let limit = bounds.maxRows(fieldCount: fieldCount)
            guard count <= limit else {
                throw malformed("snapshot.\(key) \(count) is more than a file of \(bounds.fileSize) bytes can hold "
                    + "(at most \(limit) of \(fieldCount) numbers each)")
            }
            return count
        }
        guard let meta = header["meta"] else {
            throw unsupported("\"snapshot\" has no \"meta\" object (expected node_fields, node_types, edge_fields, edge_types)")
        }
        func strings(_ key: String) throws -> [String] {
            guard let list = meta[key]?.stringArray, !list.isEmpty else {
                throw unsupported("snapshot.meta.\(key) is missing or not a list of strings")
            }
            return list
        }
        /// node_types/edge_types: a list whose first element is the list of enum names.
        func enumNames(_ key: String) throws -> [String] {
            guard case .array(let columns)? = meta[key], let first = columns.first, let names = first.stringArray else {
                throw unsupported("snapshot.meta.\(key) is missing or its first entry is not a list of type names")
            }
            return names
        }
        func index(of field: String, in fields: [String], _ key: String) throws -> Int {
            guard let i = fields.firstIndex(of: field) else {
                throw unsupported("snapshot.meta.\(key) has no \"\(field)\" field (found \(fields.joined(separator: ", ")))")
            }
            return i
        }
        nodeFields = try strings("node_fields")
        edgeFields = try strings("edge_fields")
        nodeTypes = try enumNames("node_types")
        edgeTypes = try enumNames("edge_types")
        nodeTypeField = try index(of: "type", in: nodeFields, "node_fields")
        nodeNameField = try index(of: "name", in: nodeFields, "node_fields")
        nodeIdField = try index(of: "id", in: nodeFields, "node_fields")
        nodeSelfSizeField = try index(of: "self_size", in: nodeFields, "node_fields")
        nodeEdgeCountField = try index(of: "edge_count", in: nodeFields, "node_fields")
        edgeTypeField = try index(of: "type", in: edgeFields, "edge_fields")
        edgeNameField = try index(of: "name_or_index", in: edgeFields, "edge_fields")
        edgeToNodeField = try index(of: "to_node", in: edgeFields, "edge_fields")
        guard nodeTypes.count <= 255, edgeTypes.count <= 255 else {
            throw unsupported("more than 255 node or edge types")
        }
        nodeCount = try count("node_count", fieldCount: nodeFields.count)
        edgeCount = try count("edge_count", fieldCount: edgeFields.count)
        // Not used, but a count no file can hold marks a forged header.
        _ = try count("trace_function_count", fieldCount: meta["trace_function_info_fields"]?.stringArray?.count ?? 1)
        rootIndex = header["root_index"]?.int ?? 0
    }
}
