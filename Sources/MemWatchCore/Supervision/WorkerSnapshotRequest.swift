import Foundation
import Glibc
import SystemPackage

/// Asks a worker thread for a heap snapshot of its own isolate.
///
/// The snapshot signal makes node snapshot the main thread's heap only. The preload in
/// each worker polls (once a second, unref'd timer) for a request file in the
/// report directory, writes `Heap.<date>.<time>.<pid>.<threadId>.<n>.heapsnapshot`
/// (mode 0600, node's own naming, so the snapshot watcher sees it like any
/// other) into the snapshot dir, and answers in `<pid>-<threadId>.snapshot.json`.
///
/// The trace names isolates, not thread ids, and JS cannot see its isolate's
/// address: with several workers, ask each of them (``requestAllWorkers``).
public enum WorkerSnapshotRequest {
    public struct Answer: Sendable, Equatable, Decodable {
        public var pid: Int32
        public var threadID: Int
        /// The snapshot written, or nil with `error` set.
        public var path: String?
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case pid, path, error
            case threadID = "thread_id"
        }
    }

    /// Drops the request file for one worker; its answer replaces any earlier one.
    public static func request(pid: Int32, threadID: Int, reportDirectory: String) throws(Errno) {
        let base = "\(reportDirectory)/\(pid)-\(threadID)"
        _ = try? SystemCall.value { unlink(base + ".snapshot.json") }
        let fd = try SystemCall.value {
            open(base + ".snapshot-request", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        close(fd)
    }

    /// Asks every worker thread of `pid` that reported itself; returns their thread ids.
    @discardableResult
    public static func requestAllWorkers(pid: Int32, reportDirectory: String) throws(Errno) -> [Int] {
        let workers = ProcessReport.readAll(in: reportDirectory).filter { $0.pid == pid && !$0.isMainThread }
        for worker in workers {
            try request(pid: pid, threadID: worker.threadID, reportDirectory: reportDirectory)
        }
        return workers.map(\.threadID)
    }

    /// The worker's answer, once it has written one.
    public static func answer(pid: Int32, threadID: Int, reportDirectory: String) -> Answer? {
        guard let data = FileManager.default.contents(atPath: "\(reportDirectory)/\(pid)-\(threadID).snapshot.json")
        else { return nil }
        return try? JSONDecoder().decode(Answer.self, from: data)
    }
}
