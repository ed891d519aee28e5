#if canImport(Glibc)
import Glibc
#endif

/// An unlinked file in /dev/shm that a harness rewrites with each input, for
/// the readers that take a file descriptor or a path (`/proc/self/fd/N`).
struct ScratchFile {
    let fd: Int32
    var path: String { "/proc/self/fd/\(fd)" }

    init() {
        var template = Array("/dev/shm/memwatchd-fuzz-XXXXXX".utf8CString)
        fd = mkstemp(&template)
        precondition(fd >= 0, "cannot create a scratch file in /dev/shm")
        unlink(template)
    }

    /// Makes `bytes` the whole file and rewinds it.
    func replaceContents(with bytes: UnsafeRawBufferPointer) {
        precondition(ftruncate(fd, 0) == 0 && pwrite(fd, bytes.baseAddress, bytes.count, 0) == bytes.count)
        rewind()
    }

    func rewind() { precondition(lseek(fd, 0, SEEK_SET) == 0) }
}
