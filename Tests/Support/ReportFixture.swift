import Foundation

@testable import EvalGuardSupport

/// A repository with a short evaluated history and an uncommitted change that regresses, whose
/// cases, answers, case ids and commit subjects carry script payloads: what `report` must show
/// as text and never run.
package enum ReportFixture {
    /// Each payload, if it ever ran, would set `window.evalguardInjected`, log the marker, or
    /// retitle the page.
    package static let marker = "EVALGUARD-INJECTED"
    package static let payloads = [
        "<script>window.evalguardInjected=1;console.log('\(marker)');document.title='pwned'</script>",
        "<img src=x onerror=\"window.evalguardInjected=1;console.log('\(marker)')\">",
        "</style><script>window.evalguardInjected=1;console.log('\(marker)')</script><style>",
        "\" onmouseover=\"window.evalguardInjected=1\" data-x=\"",
        "' autofocus onfocus='window.evalguardInjected=1' x='",
        "</pre></details><svg onload=\"window.evalguardInjected=1\"></svg>",
    ]
    package static let longInput = String(repeating: "a long customer message that goes on and on ", count: 8)
    package static let oddID = "x\"><script>window.evalguardInjected=1</script>"

    /// Case id → input; the expected answer is the input (the model echoes).
    package static var cases: [(String, String)] {
        var out = (1...14).map { ("c\($0)", "question \($0)") }
        out += payloads.enumerated().map { ("p\($0.offset + 1)", $0.element) }
        out += [("long", longInput), ("text", "the quick brown fox jumps"), (oddID, "odd id")]
        return out
    }

    /// Echoes each input, except the answers `flip.json` sets by case id.
    package static let model = """
        import json, os, sys
        flip = json.load(open('flip.json')) if os.path.exists('flip.json') else {}
        for line in sys.stdin:
            r = json.loads(line)
            sys.stdout.write(json.dumps({'id': r['id'], 'output': flip.get(r['id'], r['input']), 'cost_usd': 0.001}) + '\\n')
            sys.stdout.flush()
        """

    package static func flips(_ answers: [String: String]) -> String {
        JSONValue.object(answers.mapValues(JSONValue.string)).canonicalText + "\n"
    }

    /// The uncommitted answers: six payload cases and more answer with payloads or wrong text
    /// (broke), and `c14`, wrong in the baseline, is fixed; in the two-case suite `extra`, `e1`
    /// breaks (a drop noise can explain: inconclusive).
    package static var regressingAnswers: [String: String] {
        var answers: [String: String] = [:]
        for (i, p) in payloads.enumerated() { answers["p\(i + 1)"] = payloads[(i + 1) % payloads.count] }
        answers["text"] = "the quick red fox jumps"
        answers["long"] = longInput + " and more"
        answers[oddID] = payloads[0]
        answers["e1"] = "extra wrong"
        return answers
    }

    /// Baseline (with `c14` wrong), two more evaluated commits, the second with a payload in its
    /// subject, then the regressing answers in the working tree.
    package static func make() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write("model.py", model)
        try repo.write("flip.json", flips(["c14": "wrong"]))
        try repo.write(".evals/cases/main.jsonl", cases.map { caseLine($0.0, $0.1) }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/cases/extra.jsonl", caseLine("e1", "extra one") + "\n" + caseLine("e2", "extra two") + "\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"command": ["python3", "model.py"], "jobs": 2, "timeout_s": 10},
              "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}, "extra": {"cases": "cases/extra.jsonl", "scorer": "exact"}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.commitAll("Add evals")
        try expect(repo.evalguard("run"), 0)
        try expect(repo.evalguard("baseline"), 0)
        try repo.commitAll("Record the baseline")
        try repo.write("flip.json", flips(["c14": "wrong", "c13": "wrong"]))
        try repo.commitAll("Tune the prompt")
        try expect(repo.evalguard("run"), 0)
        try repo.write("flip.json", flips(["c14": "wrong"]))
        try repo.commitAll("Revert <script>window.evalguardInjected=1</script> the tuning")
        try expect(repo.evalguard("run"), 0)
        try repo.write("flip.json", flips(regressingAnswers))
        return repo
    }

    package static func expect(_ run: Invocation, _ status: Int32) throws {
        guard run.status == status else {
            throw TestFailure("exit \(run.status), expected \(status): \(run.stdout)\n\(run.stderr)")
        }
    }
}
