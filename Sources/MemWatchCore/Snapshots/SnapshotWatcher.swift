import CSystemd
import Foundation
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Waits for the heap snapshot a process writes when signalled: inotify on the
/// snapshot directory (and the app's cwd, where the heapdump module and node
/// without `--diagnostic-dir` write), until a matching file is closed whole,
/// the process exits, or the timeout passes.
///
/// Create it *before* sending the signal so the file's creation is not missed.
/// Directories are opened with `O_NOFOLLOW` and files inside them by `openat`
/// with `O_NOFOLLOW`: a symlink is never followed into or out of them.
public final class SnapshotWatcher: Sendable {
    struct Directory: Sendable {
        let path: String
        let descriptor: Int32
        let watch: Int32
    }

    struct Candidate: Hashable {
        let directory: Int
        let name: String
    }

    public let pid: Int32
    /// Only `Heap.*` files of this thread id (0: the main thread), or any when nil.
    public let thread: Int?
    private let inotify: Int32
    private let loop: EventLoop
    private let directories: [Directory]

    public init(
        pid: Int32, thread: Int? = nil, snapshotDirectory: String, appDirectory: String? = nil,
        loop: EventLoop = .shared
    ) throws(SnapshotWatchError) {
        self.pid = pid
        self.thread = thread
        self.loop = loop
        do {
            inotify = try SystemCall.value { inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK)) }
        } catch {
            throw .cannotWatch(path: snapshotDirectory, error)
        }
        var directories: [Directory] = []
        var paths = [snapshotDirectory]
        if let appDirectory, appDirectory != snapshotDirectory { paths.append(appDirectory) }
        for (index, path) in paths.enumerated() {
            do {
                directories.append(try Self.watch(path, with: inotify))
            } catch {
                // The app's cwd is a bonus; the snapshot directory is required.
                guard index == 0 else { continue }
                close(inotify)
                var info = stat()
                let isSymlink = error == .tooManySymbolicLinkLevels
                    || ((try? SystemCall.value { lstat(path, &info) }) != nil && info.st_mode & S_IFMT == S_IFLNK)
                throw isSymlink ? .symlink(path: path) : .cannotWatch(path: path, error)
            }
        }
        self.directories = directories
    }

    /// Opens `path` (never through a symlink) and adds it to `inotify`.
    private static func watch(_ path: String, with inotify: Int32) throws(Errno) -> Directory {
        let descriptor = try SystemCall.value { open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        do {
            let watch = try SystemCall.value {
                inotify_add_watch(
                    inotify, path, UInt32(IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_DONT_FOLLOW | IN_ONLYDIR))
            }
            return Directory(path: path, descriptor: descriptor, watch: watch)
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        for directory in directories { close(directory.descriptor) }
        close(inotify)
    }

    /// Waits on the event loop until the file is whole, `process` exits,
    /// `timeout` seconds pass or the task is cancelled.
    public func wait(for process: ProcessHandle, timeout: TimeInterval) async -> SnapshotWatchResult {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var started: Set<Candidate> = []
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero {
                return giveUp(
                    "no whole snapshot from pid \(pid) after \(HumanReadable.seconds(timeout)) (timeout)", started)
            }
            // Index 0: inotify has events; 1: the process's pidfd says it exited.
            switch await loop.firstReadable(among: [inotify, process.descriptor], timeout: remaining) {
            case (.ready, 0):
                if let result = drainEvents(&started, process) { return result }
            case (.ready, _):
                // The kernel closes a dying process's files before its pidfd turns
                // readable, so a last IN_CLOSE_WRITE is already queued: read it first.
                if let result = drainEvents(&started, process) { return result }
                return giveUp(exitedReason, started)
            case (.timedOut, _):
                continue
            case (.cancelled, _):
                return giveUp("memwatchd stopped waiting for the snapshot", started)
            case (.failed(let failure), _):
                return giveUp("cannot wait for the snapshot: \(failure)", started)
            }
        }
    }

    private var exitedReason: String { "pid \(pid) exited before writing a whole snapshot" }

    /// Reads queued inotify events; a result once a matching file closed.
    private func drainEvents(_ started: inout Set<Candidate>, _ process: ProcessHandle) -> SnapshotWatchResult? {
        let bufferSize = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        while true {
            // EAGAIN: the queue is empty.
            guard let count = try? SystemCall.value({
                buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress!, bufferSize) }
            }), count > 0 else { return nil }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let (watch, mask, nameLength) = buffer.withUnsafeBytes { raw in
                    (raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                     raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                     Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
                }
                let nameBytes = buffer[(offset + headerSize)..<(offset + headerSize + nameLength)]
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                offset += headerSize + nameLength
                guard let directory = directories.firstIndex(where: { $0.watch == watch }),
                      SnapshotFileName.isSignalSnapshot(name, pid: pid, thread: thread) || SnapshotFileName.isHeapdumpSnapshot(name)
                else { continue }
                let candidate = Candidate(directory: directory, name: name)
                if mask & UInt32(IN_CREATE) != 0 { started.insert(candidate) }
                if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0, let result = inspect(candidate, process) {
                    return result
                }
            }
        }
    }

    /// A closed file: whole → written (made 0600); otherwise the writer gave up on it.
    private func inspect(_ candidate: Candidate, _ process: ProcessHandle) -> SnapshotWatchResult? {
        guard let file = examine(candidate) else { return nil }  // a symlink or gone: not ours
        if case .written = file.result { return file.result }
        // A dying process's files are closed for it, a moment before its pidfd
        // turns readable: say it died rather than that the file is odd.
        let exited = process.exits(withinMilliseconds: 1000)
        let path = directories[candidate.directory].path + "/" + candidate.name
        return .failed(
            reason: exited ? exitedReason : "snapshot file \(path) was closed \(file.check) (is the disk full?)",
            partialFile: remove(candidate, bytes: file.bytes))
    }

    /// Opens a candidate without following symlinks and checks it; a whole
    /// snapshot is made 0600 (it holds every string in the heap) and reported written.
    private func examine(_ candidate: Candidate) -> (result: SnapshotWatchResult, check: SnapshotFileCheck.Result, bytes: Int64)? {
        let directory = directories[candidate.directory]
        let path = directory.path + "/" + candidate.name
        guard let fd = try? SystemCall.value({
            openat(directory.descriptor, candidate.name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        }) else { return nil }
        defer { close(fd) }
        var info = stat()
        guard (try? SystemCall.value { fstat(fd, &info) }) != nil, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let bytes = Int64(info.st_size)
        guard let check = try? SnapshotFileCheck.check(descriptor: fd) else {
            return (.failed(reason: "cannot read snapshot \(path)", partialFile: .left(path: path, reason: "unreadable")),
                    .truncated, bytes)
        }
        guard check == .whole else {
            return (.failed(reason: "snapshot file \(path) is \(check)", partialFile: .noFile), check, bytes)
        }
        if info.st_mode & 0o7777 != 0o600 { fchmod(fd, 0o600) }
        return (.written(path: path, bytes: bytes), check, bytes)
    }

    /// Ends the wait: a whole file whose close went unseen (inotify queue
    /// overflow) still counts; anything else started for us is deleted.
    private func giveUp(_ reason: String, _ started: Set<Candidate>) -> SnapshotWatchResult {
        var fate = PartialSnapshotFate.noFile
        for candidate in started {
            guard let file = examine(candidate) else { continue }
            if case .written = file.result { return file.result }
            fate = remove(candidate, bytes: file.bytes)
        }
        return .failed(reason: reason, partialFile: fate)
    }

    private func remove(_ candidate: Candidate, bytes: Int64) -> PartialSnapshotFate {
        let directory = directories[candidate.directory]
        let path = directory.path + "/" + candidate.name
        do {
            try SystemCall.value { unlinkat(directory.descriptor, candidate.name, 0) }
            return .deleted(path: path, bytes: bytes)
        } catch {
            return .left(path: path, reason: error.description)
        }
    }
}

public enum SnapshotWatchError: Error, Equatable, CustomStringConvertible {
    case symlink(path: String)
    case cannotWatch(path: String, Errno)

    public var description: String {
        switch self {
        case let .symlink(path):
            "snapshot directory \(path) is a symbolic link; memwatchd never follows a symlink into it"
        case let .cannotWatch(path, failure):
            "cannot watch snapshot directory \(path): \(failure)"
        }
    }
}
