/// The V8 old-space limit a user set for node with `--max-old-space-size`
/// (or `--max_old_space_size`), on node's command line or in `NODE_OPTIONS`.
public struct NodeHeapLimitOption: Sendable, Equatable {
    /// The value as given, in MB (V8's unit for this flag).
    public var megabytes: Int

    public var bytes: Int64 { Int64(megabytes) * 1024 * 1024 }

    public init(megabytes: Int) { self.megabytes = megabytes }

    /// The limit from a node command line (`argv[0]` is the binary) and the
    /// environment. The command line comes after `NODE_OPTIONS` so it wins,
    /// as in node. Nil when neither sets it, or the value is not a number.
    public static func find(argv: [String], environment: [String: String]) -> NodeHeapLimitOption? {
        var options = NodeOptionsSyntax.split(environment["NODE_OPTIONS"] ?? "")
        if let binary = argv.first, NodeLaunchPlan.isNodeBinary(binary) {
            options += NodeCommandLine.options(in: argv.dropFirst())
        }
        guard let value = NodeCommandLine.value(of: "--max-old-space-size", in: options),
            let megabytes = Int(value), megabytes > 0
        else { return nil }
        return NodeHeapLimitOption(megabytes: megabytes)
    }
}
