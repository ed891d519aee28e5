/// The names heap snapshot writers give their files.
public enum SnapshotFileName {
    /// Node's `--heapsnapshot-signal` / `v8.writeHeapSnapshot()` name:
    /// `Heap.YYYYMMDD.HHMMSS.<pid>.<tid>.<seq>.heapsnapshot`. `thread` 0 is the
    /// main thread (what the snapshot signal writes); nil accepts any thread.
    public static func isSignalSnapshot(_ name: String, pid: Int32, thread: Int? = nil) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "Heap", parts[6] == "heapsnapshot" else { return false }
        func digits(_ part: Substring, count: Int? = nil) -> Bool {
            !part.isEmpty && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && (count == nil || part.count == count)
        }
        return digits(parts[1], count: 8) && digits(parts[2], count: 6) && parts[3] == Substring(String(pid))
            && digits(parts[4]) && digits(parts[5]) && (thread == nil || Int(parts[4]) == thread)
    }

    /// The `heapdump` npm module's name, written to the app's cwd: `heapdump-<n>.<n>.heapsnapshot`.
    public static func isHeapdumpSnapshot(_ name: String) -> Bool {
        name.hasPrefix("heapdump-") && name.hasSuffix(".heapsnapshot") && !name.contains("/")
    }
}
