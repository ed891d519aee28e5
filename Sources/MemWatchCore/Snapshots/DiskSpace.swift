#if canImport(Glibc)
import Glibc
#endif

/// Free space for an unprivileged writer on the file system holding `path`.
public enum DiskSpace {
    public static func available(at path: String) -> Int64? {
        var info = statvfs()
        guard (try? SystemCall.value { statvfs(path, &info) }) != nil else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}
