import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An entry waiting in a snapshot directory under a name node would give the
/// snapshot it is about to write: a symlink or a hard link there would make
/// node (perhaps as root) write the heap, with its secrets, over another file,
/// and a FIFO would hang it. Checked before every signal; while one is there,
/// memwatchd asks for no snapshot.
public enum PlantedSnapshotEntry {
    /// The path of the first such entry in `directory`, if any: an entry with
    /// the signal-snapshot name of `pid` (any time stamp and sequence number)
    /// or a heapdump name that is not a regular file of one link.
    public static func find(in directory: String, pid: Int32, thread: Int) -> String? {
        guard let fd = try? SystemCall.value({ open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) })
        else { return nil }
        guard let stream = try? SystemCall.pointer({ fdopendir(fd) }) else {
            close(fd)
            return nil
        }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard SnapshotFileName.isSignalSnapshot(name, pid: pid, thread: thread)
                || SnapshotFileName.isHeapdumpSnapshot(name)
            else { continue }
            var info = stat()
            guard (try? SystemCall.value { fstatat(dirfd(stream), name, &info, AT_SYMLINK_NOFOLLOW) }) != nil
            else { continue }
            if info.st_mode & S_IFMT != S_IFREG || info.st_nlink > 1 { return directory + "/" + name }
        }
        return nil
    }
}
