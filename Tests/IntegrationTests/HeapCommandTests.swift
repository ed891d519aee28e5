import Foundation
import Testing
import TestSupport

/// Runs the built `memwatchd heap ...` binary against snapshots a real node process wrote.
enum HeapCLI {
    /// Node 22 (else 24) from `.cache`: the counts and distances below are theirs.
    static let node = NodeBinary.cached("22") ?? NodeBinary.cached("24")

    static let batch = 120

    /// Three snapshots of a process that adds `batch` Session objects to a global Map before each.
    static let snapshots: URL? = {
        guard let node else { return nil }
        guard let dir = try? TestRunDirectory.makeDirectory("memwatch-heap-cli") else { return nil }
        let script = """
        const v8 = require('v8');
        class Session { constructor(id) { this.id = id; this.a = id; this.b = id; this.c = id; this.d = id;
          this.e = id; this.f = id; this.g = id; this.h = id; this.i = id; this.j = id; this.k = id; } }
        globalThis.sessionStore = new Map();
        let next = 0;
        for (const name of ['a', 'b', 'c']) {
          for (let i = 0; i < \(batch); i++) { sessionStore.set(next, new Session(next)); next++; }
          v8.writeHeapSnapshot(process.argv[process.argv.length - 1] + '/' + name + '.heapsnapshot');
        }
        """
        let result = try? runProcess(node.path, ["-e", script, dir])
        return result?.status == 0 ? URL(fileURLWithPath: dir) : nil
    }()

    static func heap(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(Repository.binary, ["heap"] + arguments)
    }

    static func snapshot(_ name: String) throws -> String {
        try #require(snapshots, "node did not write the snapshots").appendingPathComponent("\(name).heapsnapshot").path
    }
}

@Suite(.enabled(if: HeapCLI.node != nil, "needs node in .cache/node"))
struct HeapCommandTests {
    @Test func diffJSONPutsSessionFirst() throws {
        let result = try HeapCLI.heap(["diff", HeapCLI.snapshot("a"), HeapCLI.snapshot("b"), "--json"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderr.isEmpty, "no progress when JSON goes to a pipe")
        let constructors = try #require(try jsonObject(result.stdout)["constructors"] as? [[String: Any]])
        let top = try #require(constructors.first)
        #expect(top["name"] as? String == "Session")
        #expect(top["new"] as? Int == HeapCLI.batch)
        #expect(top["deleted"] as? Int == 0)
        #expect(top["delta"] as? Int == HeapCLI.batch)
        for key in ["size_delta", "allocated_size", "freed_size"] { #expect(top[key] is Int, "\(key)") }
        let deltas = constructors.compactMap { $0["size_delta"] as? Int }
        #expect(deltas == deltas.sorted(by: >))
    }

    @Test func summaryJSONHasTheContractShape() throws {
        let result = try HeapCLI.heap(["summary", HeapCLI.snapshot("c"), "--json"])
        #expect(result.status == 0, "\(result.stderrText)")
        let object = try jsonObject(result.stdout)
        let constructors = try #require(object["constructors"] as? [[String: Any]])
        let session = try #require(constructors.first { $0["name"] as? String == "Session" })
        #expect(session["count"] as? Int == 3 * HeapCLI.batch)
        #expect(session["shallow_size"] is Int)
        #expect(session["retained_size"] is Int)
        #expect(session["distance"] as? Int == 4)
        let statistics = try #require(object["statistics"] as? [String: Any])
        #expect((statistics["total"] as? Int ?? 0) > 0)
        let filtered = try HeapCLI.heap(["summary", HeapCLI.snapshot("c"), "--json", "--filter", "Sess", "--top", "1"])
        let only = try #require(try jsonObject(filtered.stdout)["constructors"] as? [[String: Any]])
        #expect(only.map { $0["name"] as? String } == ["Session"])
    }

    @Test func leaksJSONPutsSessionFirst() throws {
        let result = try HeapCLI.heap(["leaks", HeapCLI.snapshot("a"), HeapCLI.snapshot("b"), HeapCLI.snapshot("c"), "--json"])
        #expect(result.status == 0, "\(result.stderrText)")
        let groups = try #require(try jsonObject(result.stdout)["groups"] as? [[String: Any]])
        let top = try #require(groups.first)
        #expect(top["constructor"] as? String == "Session")
        #expect(top["count"] as? Int == HeapCLI.batch)
        #expect((top["path"] as? [String])?.contains(".sessionStore: Map") == true)
        #expect(top["retained_size"] is Int)
    }

    @Test func retainersShowTheHoldingMap() throws {
        let result = try HeapCLI.heap(["retainers", HeapCLI.snapshot("b"), "--constructor", "Session"])
        #expect(result.status == 0, "\(result.stderrText)")
        let text = result.stdoutText
        #expect(text.contains("global → .sessionStore: Map → "))
        #expect(text.contains("\(2 * HeapCLI.batch) objects"))
    }

    @Test func truncatedAndForeignFilesFailWithAReason() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: HeapCLI.snapshot("a")))
        let dir = URL(fileURLWithPath: TestRunDirectory.path)
        let truncated = dir.appendingPathComponent("memwatch-cli-truncated-\(UUID().uuidString).heapsnapshot")
        let foreign = dir.appendingPathComponent("memwatch-cli-foreign-\(UUID().uuidString).heapsnapshot")
        try data.prefix(data.count / 2).write(to: truncated)
        try Data("{\"name\": \"not a snapshot\"}".utf8).write(to: foreign)
        defer {
            TestRunDirectory.remove(truncated.path)
            TestRunDirectory.remove(foreign.path)
        }
        let cut = try HeapCLI.heap(["summary", truncated.path, "--json"])
        #expect(cut.status != 0)
        #expect(cut.stdout.isEmpty)
        #expect(cut.stderrText.contains("truncated at byte \(data.count / 2)"), "\(cut.stderrText)")
        let other = try HeapCLI.heap(["diff", foreign.path, HeapCLI.snapshot("a")])
        #expect(other.status != 0)
        #expect(other.stderrText.contains("not a heap snapshot"), "\(other.stderrText)")
    }
}
