import ArgumentParser

@main
struct MemWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memwatchd",
        abstract: "Catch memory leaks in Node.js processes: watch the V8 GC trace, take heap snapshots.",
        subcommands: [RunCommand.self, AnalyzeCommand.self, EventsCommand.self, HeapCommand.self]
    )
}
