import ArgumentParser
import Foundation
import MemWatchCore
import SystemPackage

/// `memwatchd analyze FILE...`: replays GC trace logs through the same
/// per-isolate watch the live commands use, and reports.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Replay V8 GC trace logs (node --trace-gc output) through the leak detectors.",
        discussion: """
            Each FILE (or - for standard input) is an independent source; GC lines are \
            grouped by [pid:isolate] and every other line is ignored. Logs are streamed: \
            memory stays constant whatever their size.

            Exit status: 0 when the logs were read (leak or not; see --fail-on-leak), \
            1 with --fail-on-leak when a leak was found, 2 when a file cannot be read \
            or no file holds a single GC line.
            """
    )

    @Argument(help: "GC trace logs to replay; - reads standard input.")
    var files: [String]

    @Flag(help: "Print one JSON object: {verdict, detections, isolates}.")
    var json = false

    @Option(help: "Leak detector: trend (default) or consecutive-growth (memwatch's rule).")
    var detector: DetectorKind = .trend

    @Option(name: .customLong("heap-limit"), help: ArgumentHelp(
        "The processes' heap limit in MB (e.g. their --max-old-space-size), to project when it is reached; "
            + "without it, the limit a --trace-gc-verbose log reports is used.",
        valueName: "MB"))
    var heapLimitMB: Double?

    @Flag(help: "Exit with status 1 when a leak is found, like a linter.")
    var failOnLeak = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one GC log file, or - for standard input") }
        if let heapLimitMB, !(heapLimitMB > 0 && heapLimitMB < 1e9) {
            throw ValidationError("--heap-limit must be a positive number of MB, got \(heapLimitMB)")
        }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("- (standard input) can be given once") }
    }

    func run() throws {
        let heapLimit = heapLimitMB.map { Int64($0 * 1024 * 1024) }
        // A bad name fails before any output; files are then opened one at a
        // time, so any number of logs stays within the descriptor limit.
        for file in files where file != "-" {
            do {
                try SystemCall.value { access(file, R_OK) }
            } catch {
                throw unreadable(file, error)
            }
        }
        var sources: [(name: String, watch: LeakWatch)] = []
        for file in files {
            let fd: FileDescriptor
            do {
                fd = file == "-" ? .standardInput : try FileDescriptor.open(FilePath(file), .readOnly, options: .closeOnExec)
            } catch {
                throw unreadable(file, error)
            }
            defer { if file != "-" { try? fd.close() } }
            var watch = LeakWatch(detector: detector, heapLimit: heapLimit)
            do {
                _ = try GCTraceFileScanner.scanInBackground(fileDescriptor: fd.rawValue) { records in
                    for record in records { _ = watch.observe(record) }
                }
            } catch {
                throw unreadable(file, error)
            }
            let name = file == "-" ? "<stdin>" : file
            if watch.isolates.isEmpty {
                Self.diagnostics.warning("\(name): no GC trace line (was node run with --trace-gc?)")
            }
            sources.append((name, watch))
        }

        let report = AnalysisReport(sources: sources)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(AnalysisText.render(sources: sources), terminator: "")
        }
        if sources.allSatisfy({ $0.watch.isolates.isEmpty }) { throw ExitCode(2) }
        if failOnLeak, report.verdict == "leak" { throw ExitCode(1) }
    }

    private static let diagnostics = Diagnostics.logger(label: "memwatchd analyze")

    private func unreadable(_ file: String, _ error: Error) -> Error {
        let why = (error as? Errno).map { String(describing: $0) }
            ?? (error as? LineReaderError).map { String(describing: $0.failure) } ?? "\(error)"
        FileHandle.standardError.write(Data("memwatchd analyze: cannot read \(file): \(why)\n".utf8))
        return ExitCode(2)
    }
}

extension DetectorKind: ExpressibleByArgument {}
