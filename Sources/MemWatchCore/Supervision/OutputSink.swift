import Foundation
import Glibc

/// Writes whole buffers to a file descriptor. Once the reader is gone (EPIPE,
/// or any other write error) further output is dropped: the app keeps
/// running and its pipe keeps being drained.
struct OutputSink {
    let fd: Int32
    private(set) var closed = false

    init(fd: Int32) { self.fd = fd }

    mutating func write<Bytes: ContiguousBytes>(_ bytes: Bytes) {
        bytes.withUnsafeBytes { write($0) }
    }

    mutating func write(_ raw: UnsafeRawBufferPointer) {
        guard !closed, raw.count > 0 else { return }
        var offset = 0
        while offset < raw.count {
            let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EINTR || errno == EAGAIN) {
                if errno == EAGAIN {
                    var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&poller, 1, 100)
                }
            } else {
                closed = true
                return
            }
        }
    }
}
