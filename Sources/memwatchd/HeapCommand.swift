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

    /// Sizes as people read them: 1.2 MB, 34.5 kB, 120 B.
    static func bytes(_ value: Int) -> String {
        let magnitude = abs(value)
        let sign = value < 0 ? "-" : ""
        if magnitude >= 1 << 30 { return sign + String(format: "%.1f GB", Double(magnitude) / Double(1 << 30)) }
        if magnitude >= 1 << 20 { return sign + String(format: "%.1f MB", Double(magnitude) / Double(1 << 20)) }
        if magnitude >= 1 << 10 { return sign + String(format: "%.1f kB", Double(magnitude) / Double(1 << 10)) }
        return "\(value) B"
    }

    /// A plain text table, the first column left-aligned, the others right-aligned.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        widths[0] = min(widths[0], 60)
        return all.map { row in
            row.enumerated().map { i, cell in
                let text = i == 0 && cell.count > 60 ? String(cell.prefix(57)) + "..." : cell
                let pad = String(repeating: " ", count: max(widths[i] - text.count, 0))
                return i == 0 ? text + pad : pad + text
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
