// Parse-throughput benchmark driver: scans each GC log given on the command
// line with GCTraceFileScanner (LineReader + GCTraceParser) and prints what it
// found. run.sh compiles it together with Sources/MemWatchCore/GCTrace/*.swift
// at the release optimisation level while `memwatchd analyze` does not exist.
#if canImport(Glibc)
import Glibc
#endif

for path in CommandLine.arguments.dropFirst() {
    do {
        let s = try GCTraceFileScanner.scan(path: path)
        print("\(path): lines=\(s.lines) scavenges=\(s.scavenges) minor=\(s.minorMarkSweeps) full=\(s.markCompacts) collections=\(s.collections) other_trace=\(s.otherTraceLines) app=\(s.appLines)")
    } catch {
        fputs("parse-bench: \(error)\n", stderr)
        exit(1)
    }
}
