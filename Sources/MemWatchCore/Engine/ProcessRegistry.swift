/// The processes the engine watches, by pid, for as long as they live: a
/// process is let in through the scope (held by its pidfd), dropped when its
/// pidfd says it exited and its last lines had time to arrive, and a pid
/// that names a new process is a new entry, with fresh detector state.
///
/// A value type owned by the engine: no I/O here except `open`, given in.
struct ProcessRegistry {
    /// Isolates watched per process at most: a worker pool rarely runs more,
    /// and an app printing made-up trace lines must not grow memwatchd.
    static let maxIsolatesPerProcess = 64

    enum Admission: Equatable {
        /// The isolate's lines are watched. `replaced`: isolates of an exited
        /// process whose pid the new one reuses, to forget.
        case watched(newProcess: Bool, newIsolate: Bool, replaced: [IsolateID])
        /// Not in scope, or gone before it could be held.
        case refused
        /// Past the isolate bound; `firstTime` once per process, to say so.
        case tooManyIsolates(firstTime: Bool)
    }

    private(set) var processes: [Int32: WatchedProcess] = [:]
    /// The isolates of live processes whose lines are watched: what
    /// ``isWatchedLive(_:)`` answers from, for every trace line, without
    /// copying a ``WatchedProcess`` (a dozen reference-counted fields).
    /// Kept by `admit`, `markExited` and `remove`, the only places that
    /// change a process's isolates or its exit.
    private var liveIsolates: Set<IsolateID> = []

    /// Read and change a process's other facts (samples, snapshots, events)
    /// here; its isolates and exit change only through the methods below.
    subscript(pid: Int32) -> WatchedProcess? {
        get { processes[pid] }
        _modify { yield &processes[pid] }
    }

    /// Whether `id`'s lines are watched and its process has not exited: then
    /// `admit(id)` would return `.watched(newProcess: false, newIsolate: false, replaced: [])`
    /// and change nothing.
    func isWatchedLive(_ id: IsolateID) -> Bool { liveIsolates.contains(id) }

    var pids: [Int32] { Array(processes.keys) }

    /// Lets `id`'s lines in. `open` holds a pid through the scope, or says no;
    /// it is asked for a pid not yet held, and for one whose process exited
    /// (the pid may name a new process now).
    mutating func admit(_ id: IsolateID, open: (Int32) -> WatchedProcess?) -> Admission {
        var replaced: [IsolateID] = []
        var newProcess = false
        if let known = processes[id.pid], !known.hasExited {
            // The common case: a live process already held.
        } else if let fresh = open(id.pid), fresh.handle !== processes[id.pid]?.handle {
            replaced = processes[id.pid].map(Self.isolateIDs) ?? []
            for isolate in replaced { liveIsolates.remove(isolate) }
            processes[id.pid] = fresh
            newProcess = true
        } else if processes[id.pid] == nil {
            return .refused
        }
        // Known (live or lingering) or just registered.
        guard var process = processes[id.pid] else { return .refused }
        if process.isolates.contains(id.isolate) {
            return .watched(newProcess: newProcess, newIsolate: false, replaced: replaced)
        }
        guard process.isolates.count < Self.maxIsolatesPerProcess else {
            let firstTime = !process.isolateLimitNoted
            process.isolateLimitNoted = true
            processes[id.pid] = process
            return .tooManyIsolates(firstTime: firstTime)
        }
        process.isolates.insert(id.isolate)
        if !process.hasExited { liveIsolates.insert(id) }
        processes[id.pid] = process
        return .watched(newProcess: newProcess, newIsolate: true, replaced: replaced)
    }

    /// The pidfd of `handle`'s process turned readable.
    mutating func markExited(_ handle: ProcessHandle) {
        guard let process = processes[handle.pid], process.handle === handle else { return }
        processes[handle.pid]?.hasExited = true
        for isolate in Self.isolateIDs(process) { liveIsolates.remove(isolate) }
    }

    /// Drops `handle`'s process, if it is still the one held under its pid;
    /// returns its isolates, whose detector state goes with it.
    mutating func remove(_ handle: ProcessHandle) -> [IsolateID]? {
        guard let process = processes[handle.pid], process.handle === handle else { return nil }
        processes[handle.pid] = nil
        let isolates = Self.isolateIDs(process)
        for isolate in isolates { liveIsolates.remove(isolate) }
        return isolates
    }

    private static func isolateIDs(_ process: WatchedProcess) -> [IsolateID] {
        process.isolates.sorted().map { IsolateID(pid: process.pid, isolate: $0) }
    }
}
