import Glibc

/// Reads files of /proc, /sys and small state files in one go.
///
/// /proc files report a size of 0, so the file is read until EOF rather than
/// by its stat size. Returns nil when the file cannot be opened or read
/// (it vanished with its process, or was never there).
enum SmallFile {
    static func read(_ path: String, limit: Int = 4 << 20) -> [UInt8]? {
        guard let fd = try? SystemCall.value({ open(path, O_RDONLY | O_CLOEXEC) }) else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            guard let n = try? SystemCall.value({ chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } })
            else { return nil }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    static func readString(_ path: String) -> String? {
        read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Names in a directory, without `.` and `..`; nil when it cannot be opened.
    static func directoryEntries(_ path: String) -> [String]? {
        guard let dir = try? SystemCall.pointer({ opendir(path) }) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
