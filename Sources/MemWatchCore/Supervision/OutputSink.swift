import Foundation
import Glibc
import SystemPackage

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
            do {
                let written = try SystemCall.value { Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset) }
                guard written > 0 else {
                    closed = true
                    return
                }
                offset += written
            } catch .wouldBlock {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = try? SystemCall.value { poll(&poller, 1, 100) }
            } catch {
                closed = true
                return
            }
        }
    }
}
