import Glibc

/// Calls `body` with `strings` as a NULL-terminated array of C strings, the
/// shape `posix_spawn`'s argv and envp take.
public func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
