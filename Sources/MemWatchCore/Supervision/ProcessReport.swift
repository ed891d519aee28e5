import Foundation

/// What the preload reported about one node process or worker thread.
public struct ProcessReport: Sendable, Equatable, Decodable {
    public var pid: Int32
    public var parentPID: Int32
    /// 0 on the main thread.
    public var threadID: Int
    public var isMainThread: Bool
    /// V8's heap limit in bytes: `--max-old-space-size` or node's default.
    public var heapSizeLimit: Int64
    public var nodeVersion: String
    public var execArgv: [String]
    public var argv: [String]

    enum CodingKeys: String, CodingKey {
        case pid, argv
        case parentPID = "ppid"
        case threadID = "thread_id"
        case isMainThread = "is_main_thread"
        case heapSizeLimit = "heap_size_limit"
        case nodeVersion = "node_version"
        case execArgv = "exec_argv"
    }

    /// Reads every report in `directory`, by pid then thread. Files that are
    /// not reports (temp names, foreign or damaged files) are skipped.
    public static func readAll(in directory: String) -> [ProcessReport] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }
            .compactMap { read(path: (directory as NSString).appendingPathComponent($0)) }
            .sorted { ($0.pid, $0.threadID) < ($1.pid, $1.threadID) }
    }

    /// The main thread's report for `pid`, if it wrote one.
    public static func read(pid: Int32, in directory: String) -> ProcessReport? {
        read(path: (directory as NSString).appendingPathComponent("\(pid).json"))
    }

    static func read(path: String) -> ProcessReport? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(ProcessReport.self, from: data)
    }
}
