import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// This test process's own folder under the system temp dir, for every file
/// and directory a test makes. Tests hold heap snapshots of hundreds of MB:
/// a machine that runs the suite often would otherwise fill its disk. So
/// tests remove theirs when done, the folder goes when the process exits,
/// and what a crashed run left goes with the next run.
public enum TestRunDirectory {
    public static let path: String = {
        let root = NSTemporaryDirectory() + "memwatchd-tests"
        for run in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            guard let pid = pid_t(run), kill(pid, 0) != 0, errno == ESRCH else { continue }
            remove(root + "/" + run)
        }
        let own = root + "/\(getpid())"
        try? FileManager.default.createDirectory(atPath: own, withIntermediateDirectories: true)
        atexit { TestRunDirectory.remove(TestRunDirectory.path) }
        return own
    }()

    /// A new, empty directory named `label-<random>` in this run's folder;
    /// the test removes it when done (`remove`).
    public static func makeDirectory(_ label: String = "memwatchd-test") throws -> String {
        let path = path + "/\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Removes a directory or file made here, with what is in it.
    public static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
