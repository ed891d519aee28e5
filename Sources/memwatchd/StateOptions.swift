import ArgumentParser
import Foundation
import MemWatchCore

/// `--state-dir`, shared by run, attach, daemon and events.
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "State directory: event store, preload, snapshots (default: /var/lib/memwatchd for root, else $XDG_STATE_HOME/memwatchd or ~/.local/state/memwatchd).",
        valueName: "dir"))
    var stateDirectory: String?

    func validate() throws {
        // An empty path would mean the current directory, silently.
        if stateDirectory?.isEmpty == true {
            throw ValidationError("--state-dir must name a directory; '' is not one (leave the option out for the default)")
        }
    }

    var resolved: StateDirectory {
        stateDirectory.map { StateDirectory(path: Self.absolute($0)) } ?? .default()
    }

    /// `path` from the current directory: the node processes memwatchd starts
    /// get these paths (`--require` takes a relative one for a module name).
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The directories a watching command writes to, created and checked.
    struct Paths {
        var state: StateDirectory
        var snapshots: String
        var reports: String
        /// Where the preload script is written.
        var preload: String
    }

    func prepare(snapshotDirectory: String?) throws -> Paths {
        let state = resolved
        try state.create()
        let snapshots = snapshotDirectory.map(Self.absolute) ?? state.snapshotsPath
        try StateDirectory.prepareSnapshotDirectory(snapshots)
        return Paths(
            state: state, snapshots: snapshots, reports: try state.prepareSubdirectory("procs"),
            preload: try state.prepareSubdirectory("preload"))
    }
}
