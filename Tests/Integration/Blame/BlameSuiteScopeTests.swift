import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `evalguard blame --suite S` searches by S's inputs alone: commits that change only another
/// suite's model are not candidates, and probes ask only S's model.
@Suite(.serialized) struct BlameSuiteScopeTests {
    /// Answers each case with its input, except the inputs in `<name>/bug.txt`; crashes at start
    /// while `<name>/broken.txt` exists; writes one line per request to `log`.
    static func model(_ name: String, log: String) -> String {
        """
        import json, os, sys
        def words(p):
            return set(open(p).read().split()) if os.path.exists(p) else set()
        if os.path.exists('\(name)/broken.txt'):
            sys.exit(1)
        bug = words('\(name)/bug.txt')
        for line in sys.stdin:
            r = json.loads(line)
            open(\(JSONValue.string(log).canonicalText), 'a').write(r['input'] + '\\n')
            sys.stdout.write(json.dumps({'id': r['id'], 'output': 'wrong' if r['input'] in bug else r['input']}) + '\\n')
            sys.stdout.flush()
        """
    }

    static func config(bMaxDrop: Double = 0.05) -> String {
        """
        {
          "models": {
            "ma": {"command": ["python3", "model_a.py"], "jobs": 1, "timeout_s": 10, "inputs": ["model_a.py", "a/"]},
            "mb": {"command": ["python3", "model_b.py"], "jobs": 1, "timeout_s": 10, "inputs": ["model_b.py", "b/"]}
          },
          "suites": {
            "a": {"cases": "cases/a.jsonl", "scorer": "exact", "model": "ma"},
            "b": {"cases": "cases/b.jsonl", "scorer": "exact", "model": "mb", "thresholds": {"accuracy": {"max_drop": \(bMaxDrop)}}}
          },
          "thresholds": {"p95_latency_ms": false}
        }
        """
    }

    /// Two suites of twenty cases, each with its own model; the baseline committed; then one commit
    /// per change (a file and its text, nil to delete it). Nothing stays stored. Returns the
    /// repository, the changes' shas (oldest first) and the two models' request logs.
    static func make(_ changes: [(String, String?)]) throws -> (ScratchRepository, [String], a: String, b: String) {
        let logs = (
            a: NSTemporaryDirectory() + "evalguard-a-\(UUID().uuidString)",
            b: NSTemporaryDirectory() + "evalguard-b-\(UUID().uuidString)"
        )
        let repo = try ScratchRepository()
        try repo.write("model_a.py", model("a", log: logs.a))
        try repo.write("model_b.py", model("b", log: logs.b))
        try repo.write("a/params.txt", "0\n")
        try repo.write("b/params.txt", "0\n")
        for suite in ["a", "b"] {
            try repo.write(
                ".evals/cases/\(suite).jsonl",
                (1...20).map { caseLine("c\($0)", "\(suite)\($0)") }.joined(separator: "\n") + "\n")
        }
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(".evals/evalguard.json", config())
        try repo.commitAll("Add evals")
        let baseline = repo.evalguard("baseline")
        guard baseline.status == 0 else { throw TestFailure("baseline failed: \(baseline.stderr)") }
        try repo.commitAll("Record the baseline")
        var shas: [String] = []
        for (i, (file, text)) in changes.enumerated() {
            if let text {
                try repo.write(file, text)
            } else {
                try FileManager.default.removeItem(atPath: repo.path(file))
            }
            try repo.commitAll("Change \(file) (\(i))")
            shas.append(try repo.git("rev-parse", "HEAD"))
        }
        try SyntheticHistory.forgetStored(repo)
        for log in [logs.a, logs.b] { try? FileManager.default.removeItem(atPath: log) }
        return (repo, shas, logs.a, logs.b)
    }

    static func requests(_ log: String) -> Int {
        (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").count ?? 0
    }

    @Test func commitsThatChangeOnlyAnotherSuiteAreNeitherKeysNorProbes() throws {
        let planted = "a2 a4 a6 a8 a10 a12\n"
        let (repo, shas, a, b) = try Self.make([
            ("a/params.txt", "1\n"), ("b/params.txt", "1\n"), ("b/params.txt", "2\n"), ("a/params.txt", "2\n"),
            (".evals/evalguard.json", Self.config(bMaxDrop: 0.1)), ("b/params.txt", "3\n"), ("a/bug.txt", planted),
            ("b/params.txt", "4\n"), ("b/params.txt", "5\n"), ("a/params.txt", "3\n"), ("b/params.txt", "6\n"),
        ])
        defer { for log in [a, b] { try? FileManager.default.removeItem(atPath: log) } }
        let (run, doc) = try repo.evalguardJSON(["blame", "--suite", "a"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(doc["status"]?.stringValue == "found")
        #expect(doc["culprit"]?.objectValue?["sha"]?.stringValue == shas[6])
        #expect(doc["suites"] == .array([.string("a")]))
        // The baseline commit and the four commits that change suite a's inputs.
        #expect(doc["distinct_keys"]?.numberValue == 5)
        #expect(Self.requests(a) > 0)
        #expect(Self.requests(b) == 0, "suite b's model was asked \(Self.requests(b)) time(s)")

        // What the search evaluated is stored: the same search again asks no model.
        try? FileManager.default.removeItem(atPath: a)
        let (again, second) = try repo.evalguardJSON(["blame", "--suite", "a"])
        #expect(again.status == 0)
        #expect(second["culprit"]?.objectValue?["sha"]?.stringValue == shas[6])
        #expect(second["evaluations"]?.numberValue == 0)
        #expect(Self.requests(a) == 0 && Self.requests(b) == 0)
    }

    @Test func commitsThatChangeOnlyAnotherSuiteAreNotCandidates() throws {
        // Suite a's model is broken from the third change to the seventh: the culprit is one of
        // the commits between that change a's inputs; those that change b's are not among them.
        let (repo, shas, a, b) = try Self.make([
            ("a/params.txt", "1\n"), ("b/params.txt", "1\n"), ("a/broken.txt", "x\n"), ("b/params.txt", "2\n"),
            ("a/bug.txt", "a2 a4 a6 a8 a10 a12\n"), ("b/params.txt", "3\n"), ("a/broken.txt", nil),
            ("b/params.txt", "4\n"),
        ])
        defer { for log in [a, b] { try? FileManager.default.removeItem(atPath: log) } }
        let (run, doc) = try repo.evalguardJSON(["blame", "--suite", "a"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(doc["status"]?.stringValue == "ambiguous")
        let candidates = try #require(doc["candidates"]?.arrayValue).compactMap { $0.objectValue?["sha"]?.stringValue }
        #expect(candidates == [shas[2], shas[4], shas[6]])
        #expect(Self.requests(b) == 0, "suite b's model was asked \(Self.requests(b)) time(s)")
    }

    @Test func aRangeThatChangesOnlyAnotherSuiteHoldsNothingToSearch() throws {
        let (repo, _, a, b) = try Self.make([("b/params.txt", "1\n"), ("b/bug.txt", "b1 b2 b3 b4 b5 b6\n")])
        defer { for log in [a, b] { try? FileManager.default.removeItem(atPath: log) } }
        let (run, doc) = try repo.evalguardJSON(["blame", "--suite", "a"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(doc["status"]?.stringValue == "no_regression")
        #expect(
            doc["note"]?.stringValue?.hasPrefix("nothing suite 'a' depends on changed between") == true,
            "\(doc["note"] ?? .null)")
        #expect(Self.requests(a) == 0 && Self.requests(b) == 0)
    }
}
