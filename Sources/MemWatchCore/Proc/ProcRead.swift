/// The result of reading something about a process from /proc.
///
/// Processes come and go between listing /proc and reading a file in it, so
/// a process that is gone (or whose files can no longer be read) is a normal
/// outcome the caller handles, not an error.
public enum ProcRead<Value> {
    case present(Value)
    case vanished

    /// The value, or nil when the process has vanished.
    public var value: Value? {
        if case .present(let value) = self { return value }
        return nil
    }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> ProcRead<T> {
        switch self {
        case .present(let value): .present(try transform(value))
        case .vanished: .vanished
        }
    }
}

extension ProcRead: Sendable where Value: Sendable {}
extension ProcRead: Equatable where Value: Equatable {}
