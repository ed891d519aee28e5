import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a GC log (a file, a pipe, stdin) through `LineReader` and
/// `GCTraceParser`: what `memwatchd analyze` reads with, and what the parse
/// throughput benchmark times.
public enum GCTraceFileScanner {
    /// What a scan saw.
    public struct Summary: Sendable, Equatable {
        public var lines = 0
        /// Collections, by kind (repeats from an OOM block not counted).
        public var scavenges = 0
        public var minorMarkSweeps = 0
        public var markCompacts = 0
        /// Other trace lines (verbose space lines, repeated GCs, ...).
        public var otherTraceLines = 0
        public var appLines = 0

        public var collections: Int { scavenges + minorMarkSweeps + markCompacts }
    }

    /// Reads `fileDescriptor` to its end, calling `onRecord` for every trace line.
    /// (Mapping the file instead of reading it was measured slower here.)
    public static func scan(
        fileDescriptor: Int32,
        onRecord: (GCTraceRecord) throws -> Void = { _ in }
    ) throws -> Summary {
        var summary = Summary()
        var parser = GCTraceParser()
        var reader = LineReader(fileDescriptor: fileDescriptor)
        try reader.forEachLine { line in
            summary.lines += 1
            guard let record = parser.parse(line) else {
                summary.appLines += 1
                return
            }
            switch record.newCollectionKind {
            case .scavenge?: summary.scavenges += 1
            case .minorMarkSweep?: summary.minorMarkSweeps += 1
            case .markCompact?: summary.markCompacts += 1
            case nil: summary.otherTraceLines += 1
            }
            try onRecord(record)
        }
        return summary
    }

    /// Opens and scans the file at `path`; throws `GCTraceFileError` naming it.
    public static func scan(path: String, onRecord: (GCTraceRecord) throws -> Void = { _ in }) throws -> Summary {
        let fd: Int32
        do {
            fd = try SystemCall.value { open(path, O_RDONLY | O_CLOEXEC) }
        } catch {
            throw GCTraceFileError.cannotOpen(path: path, error)
        }
        defer { close(fd) }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        do {
            return try scan(fileDescriptor: fd, onRecord: onRecord)
        } catch let error as LineReaderError {
            throw GCTraceFileError.cannotRead(path: path, error.failure)
        }
    }
}

/// A GC log that could not be read, with the system's reason.
public enum GCTraceFileError: Error, CustomStringConvertible {
    case cannotOpen(path: String, Errno)
    case cannotRead(path: String, Errno)

    public var description: String {
        switch self {
        case let .cannotOpen(path, failure): "cannot read GC log \(path): \(failure)"
        case let .cannotRead(path, failure): "cannot read GC log \(path): read failed: \(failure)"
        }
    }
}
