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

/// Forged snapshots: every `heap` subcommand fails with the reader's reason and exit status 2,
/// never a trap (status 132/133/134) or an allocation the file cannot justify.
@Suite struct HeapCommandHostileFileTests {
    /// A root with a shortcut to `global`, whose self size is `selfSize`, announcing `nodeCount` nodes.
    static func snapshot(selfSize: String = "24", nodeCount: String = "2") -> String {
        """
        {"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],\
        "node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic",\
        "concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],\
        "edge_fields":["type","name_or_index","to_node"],\
        "edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]},\
        "node_count":\(nodeCount),"edge_count":1,"trace_function_count":0},
        "nodes":[9,0,1,0,1,0,0
        ,3,1,3,\(selfSize),0,0,0],
        "edges":[5,1,7],
        "strings":["","global"]}
        """
    }

    func write(_ text: String, _ label: String) throws -> String {
        let url = URL(fileURLWithPath: TestRunDirectory.path)
            .appendingPathComponent("memwatch-cli-\(label)-\(UUID().uuidString).heapsnapshot")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func everySubcommandRefusesAForgedSelfSize() throws {
        let good = try write(Self.snapshot(), "good")
        let bad = try write(Self.snapshot(selfSize: "999999999999999999"), "huge-self-size")
        defer { TestRunDirectory.remove(good); TestRunDirectory.remove(bad) }
        let valid = try HeapCLI.heap(["summary", good, "--json"])
        #expect(valid.status == 0, "\(valid.stderrText)")
        let runs: [[String]] = [
            ["summary", bad], ["summary", bad, "--no-retained", "--json"], ["diff", good, bad], ["diff", bad, good],
            ["retainers", bad, "--constructor", "global"], ["leaks", good, bad, good], ["leaks", good, good, bad],
        ]
        for arguments in runs {
            let result = try HeapCLI.heap(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderrText)")
            #expect(result.stdout.isEmpty, "\(arguments)")
            #expect(result.stderrText.contains("memwatchd heap: \(bad): malformed: node 1 has an invalid self_size: 999999999999999999"),
                    "\(arguments): \(result.stderrText)")
        }
    }

    @Test func aNodeCountNoFileCouldHoldIsRefusedBeforeAllocating() throws {
        let bad = try write(Self.snapshot(nodeCount: "100000000000"), "huge-node-count")
        defer { TestRunDirectory.remove(bad) }
        let result = try HeapCLI.heap(["summary", bad])
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains("\(bad): malformed at byte"), "\(result.stderrText)")
        #expect(result.stderrText.contains("snapshot.node_count 100000000000 is more than a file of"), "\(result.stderrText)")
    }

    @Test func trailingDataIsRefused() throws {
        let bad = try write(Self.snapshot() + "\n{\"snapshot\":{}}", "trailing")
        defer { TestRunDirectory.remove(bad) }
        let result = try HeapCLI.heap(["diff", bad, bad, "--json"])
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains("what follows the top-level object"), "\(result.stderrText)")
    }
}
