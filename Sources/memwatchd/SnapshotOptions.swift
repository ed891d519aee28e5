import ArgumentParser
import MemWatchCore

/// Where snapshots go and the guards' limits.
struct SnapshotOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Heap snapshot directory (default <state-dir>/snapshots).", valueName: "dir"))
    var snapshotDir: String?

    @Option(help: ArgumentHelp("Budget for all managed snapshots (bytes, or 500M, 5G); the oldest go first.", valueName: "size"))
    var maxSnapshotBytes = ByteCount(bytes: 5 << 30)

    @Option(help: ArgumentHelp("Snapshots taken of one process at most.", valueName: "n"))
    var maxSnapshotsPerProcess = 3

    @Option(help: ArgumentHelp("Seconds between two snapshots of one process (a heap nearing its limit is snapshotted regardless).", valueName: "seconds"))
    var snapshotCooldown: Double = 600

    @Option(help: ArgumentHelp(
        "Safety margin on the measured memory a snapshot takes (14 x the heap + 32 MB): MemAvailable and the cgroup's room must hold this many times it.",
        valueName: "factor"))
    var memoryHeadroomFactor: Double = 1.25

    func validate() throws {
        if snapshotDir?.isEmpty == true {
            throw ValidationError("--snapshot-dir must name a directory; '' is not one (leave the option out for <state-dir>/snapshots)")
        }
    }

    var policy: SnapshotPolicy {
        SnapshotPolicy(
            memoryHeadroomFactor: memoryHeadroomFactor, maxSnapshotBytes: maxSnapshotBytes.bytes,
            cooldown: snapshotCooldown, maxSnapshotsPerProcess: maxSnapshotsPerProcess)
    }
}
