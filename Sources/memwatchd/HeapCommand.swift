import ArgumentParser
import Foundation
import MemWatchCore

/// `memwatchd heap ...`: answers from a heap snapshot without DevTools.
struct HeapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heap",
        abstract: "Analyse V8 heap snapshots: summary, diff, retainers, leaks.",
        subcommands: [HeapSummaryCommand.self, HeapDiffCommand.self, HeapRetainersCommand.self, HeapLeaksCommand.self]
    )
}

/// Shared plumbing of the heap subcommands: progress on stderr, JSON on stdout, errors as
/// one readable line and a non-zero exit.
enum HeapCommandSupport {
    /// Progress goes to stderr unless JSON is being piped to a program.
    static func progress(json: Bool) -> HeapProgress? {
        if json && isatty(STDOUT_FILENO) == 0 { return nil }
        let terminal = isatty(STDERR_FILENO) != 0
        return HeapProgress { phase, bytesRead, totalBytes in
            var line = "memwatchd heap: \(phase)"
            if phase == "reading" && totalBytes > 0 {
                line += " \(bytesRead >> 20)/\(totalBytes >> 20) MB (\(bytesRead * 100 / totalBytes)%)"
            }
            FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
        }
    }

    static func finish(_ progress: HeapProgress?) {
        if let progress, progress.didReport, isatty(STDERR_FILENO) != 0 {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }
    }

    static func run(json: Bool, _ body: (HeapProgress?) throws -> Void) throws {
        let progress = progress(json: json)
        do {
            try body(progress)
            finish(progress)
        } catch let error as HeapSnapshotError {
            finish(progress)
            FileHandle.standardError.write(Data("memwatchd heap: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }

    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(data)
    }
}
