import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// A project whose stored results CI must audit: `main` (evals, a committed baseline) on a bare
/// remote, and a `feature` branch. The model echoes its input, answers "wrong" for the inputs in
/// the committed `flip.json` (its behaviour, an input of the model) and for those in `mood.json`
/// outside the repository (what a noisy model does differently from one run to the next), and
/// writes every request's case id to a log, so a test reads which cases were asked, in order.
package final class AuditProject {
    package let root = NSTemporaryDirectory() + "evalguard-audit-\(UUID().uuidString)"
    package var remote: String { root + "/remote.git" }
    package var counter: String { root + "/requests.log" }
    package var mood: String { root + "/mood.json" }
    package let repo: ScratchRepository
    package let inputs: [String]

    /// `cases` cases `q1`…; `deterministic` is the model's setting (nil: not said); `extra` more
    /// top-level configuration (`"audit_sample": 5,`); `scorer` the suite's scorer (JSON), with
    /// the `files` it needs (a judge's or scoring program's script).
    package init(
        cases: Int = 30, deterministic: Bool? = nil, extra: String = "", scorer: String = "\"exact\"",
        files: [String: String] = [:]
    ) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        repo = try ScratchRepository()
        inputs = (1...cases).map { "q\($0)" }
        _ = try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
        let setting = deterministic.map { ", \"deterministic\": \($0)" } ?? ""
        try repo.setUpEvals(
            model: model, cases: inputs.enumerated().map { caseLine("c\($0.offset + 1)", $0.element) },
            extraConfig: extra + "\"thresholds\": {\"p95_latency_ms\": false}",
            modelConfig: ", \"inputs\": [\"model.py\", \"flip.json\"]" + setting)
        try repo.write("flip.json", "[]\n")
        let config = try String(contentsOfFile: repo.root + "/.evals/evalguard.json", encoding: .utf8)
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(of: "\"scorer\": \"exact\"", with: "\"scorer\": " + scorer))
        for (path, text) in files { try repo.write(path, text) }
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        try repo.git("remote", "add", "origin", remote)
        try repo.git("push", "-q", "origin", "main")
        try repo.git("checkout", "-q", "-b", "feature")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    package var model: String {
        """
        import json, os, sys
        FLIP = set(json.load(open("flip.json")))
        MOOD = set(json.load(open(\(JSONValue.string(mood).canonicalText)))) if os.path.exists(\(JSONValue.string(mood).canonicalText)) else set()
        for line in sys.stdin:
            r = json.loads(line)
            with open(\(JSONValue.string(counter).canonicalText), "a") as log:
                log.write(r["id"] + "\\n")
            out = "wrong" if r["input"] in FLIP or r["input"] in MOOD else r["input"]
            sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
            sys.stdout.flush()
        """
    }

    /// Commits, on `feature`, a model that answers the given inputs wrongly, and pushes it.
    package func commitModel(flipping flipped: [String], message: String) throws {
        try repo.write("flip.json", JSONValue.array(flipped.map(JSONValue.string)).canonicalText + "\n")
        try repo.commitAll(message)
        try repo.git("push", "-q", "origin", "feature")
    }

    /// Makes the model answer these inputs wrongly from now on, without a commit (noise).
    package func setMood(_ wrong: [String]) throws {
        try (JSONValue.array(wrong.map(JSONValue.string)).canonicalText).write(
            toFile: mood, atomically: true, encoding: .utf8)
    }

    /// Evaluates `feature`'s head as a developer's `evalguard run` does, then, with `forging`,
    /// rewrites that result as someone who wants the change through would: every case that failed
    /// now holds the expected output (its digest too), passes, and the metrics agree. Pushes the
    /// notes. Returns the commit.
    @discardableResult
    package func storeResult(forging: Bool) throws -> String {
        #expect(repo.evalguard("run").status == 0)
        let head = repo.head
        if forging {
            let store = ResultStore(root: repo.root, repository: try Repository.discover(from: repo.root))
            var result = try #require(store.load(commit: head))
            for s in result.suites.indices {
                for c in result.suites[s].cases.indices where !result.suites[s].cases[c].passed {
                    var forged = result.suites[s].cases[c]
                    let expected = "q" + forged.id.dropFirst()
                    forged.output = JSONValue.string(expected).canonicalText
                    forged.outputDigest = GitHash.blobID(of: forged.output!)
                    (forged.passed, forged.score) = (true, 1)
                    result.suites[s].cases[c] = forged
                }
                result.suites[s].metrics = Metrics(result.suites[s].cases)
            }
            result.overall = Metrics(result.suites.flatMap(\.cases))
            try store.save(result)
        }
        try repo.git("push", "-q", "origin", "refs/notes/evalguard")
        return head
    }

    /// `evalguard ci` in a fresh clone of `feature` (full history, no notes, no results: ci fetches
    /// the notes), for a pull request into main. Returns what it printed and the case ids the
    /// model was asked about, in order.
    package func ci(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> (
        run: Invocation, asked: [String]
    ) {
        let clone = root + "/ci-\(UUID().uuidString.prefix(8))"
        let done = try Shell.run(["git", "clone", "-q", "--branch", "feature", "file://" + remote, clone])
        #expect(done.status == 0, "\(done.stderr)")
        try? FileManager.default.removeItem(atPath: counter)
        let (console, captured) = Console.capturing()
        let status = CLI.run(
            arguments: ["ci"] + arguments, console: console,
            environment: ["GITHUB_BASE_REF": "main"].merging(environment) { $1 }, workingDirectory: clone)
        return (Invocation(status: status, stdout: captured.stdout, stderr: captured.stderr), asked)
    }

    /// The case ids the model was asked about since the log was last cleared, in order.
    package var asked: [String] {
        ((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
