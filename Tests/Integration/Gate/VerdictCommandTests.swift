import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Repeats, inconclusive verdicts and their configuration, through `evalguard` as a user runs it.
@Suite struct VerdictCommandTests {
    let cases = (1...20).map { caseLine("c\($0)", "q\($0)") }

    /// Echoes, except that `flaky` is answered wrongly on every other call (counted in a file,
    /// so it does not matter which model process gets the call) and `broken` always wrongly.
    static func flakyModel(counter: String, flaky: String, broken: [String] = []) -> String {
        """
        import json, sys
        BROKEN = set(\(JSONValue.array(broken.map(JSONValue.string)).canonicalText))
        for line in sys.stdin:
            r = json.loads(line)
            out = r["input"]
            if r["input"] == \(JSONValue.string(flaky).canonicalText):
                with open(\(JSONValue.string(counter).canonicalText), "a+") as f:
                    f.seek(0)
                    calls = len(f.read())
                    f.write("x")
                if calls % 2 == 0:
                    out = "wrong"
            if r["input"] in BROKEN:
                out = "wrong"
            sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
            sys.stdout.flush()
        """
    }

    static func config(_ entries: String) -> String { "\"thresholds\": {\"p95_latency_ms\": false}, " + entries }

    @Test func repeatKeepsPassRatesListsFlakyCasesAndWritesThemToTheBaseline() throws {
        let counter = NSTemporaryDirectory() + "evalguard-flaky-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Self.flakyModel(counter: counter, flaky: "q2"), cases: cases)
        try repo.commitAll("Add evals")
        let run = repo.evalguard("run", "--repeat", "3")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("each case ran 3 times"))
        #expect(run.stdout.contains("main: 1 flaky case(s) (outcomes differ across runs): c2"))
        let result = try #require(ResultStore(root: repo.root).load(commit: repo.head))
        #expect(result.repeats == 3)
        let c2 = try #require(result.suites[0].cases.first { $0.id == "c2" })
        #expect(c2.runs == 3 && c2.passes == 1 && !c2.passed)
        #expect(c2.latenciesMs.map { (1...3).contains($0.count) } == true, "every warm run's latency is kept")
        #expect(abs(result.suites[0].metrics.accuracy - (19 + 1.0 / 3) / 20) < 1e-12)

        let baseline = repo.evalguard("baseline", "--repeat", "3")
        #expect(baseline.status == 0)
        #expect(baseline.stdout.contains("3 runs per case"))
        let text = try #require(repo.read(".evals/baseline.json"))
        // One line per case, still: pass rate and runs beside passed.
        #expect(text.contains(#""c2": {"pass_rate":0.3333333333,"passed":false,"runs":3}"#), "\(text)")
        #expect(text.contains(#""repeat": 3"#))
        try repo.commitAll("Baseline with repeats")

        // Same model, same flakiness: a pass, with the flaky case listed.
        let check = repo.evalguard("check", "--repeat", "3", "--fresh")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(
            check.stdout.contains("main: 1 flaky case(s) (outcomes differ across repeats), kept in the accuracy gate"))
        #expect(check.stdout.contains("c2  pass rate 0.33 → "))
        let json = try JSONParser.parse(repo.evalguard("check", "--repeat", "3", "--format", "json").stdout)
        #expect(json["settings"]?["repeat"] == .number(3))
        #expect(json["suites"]?["main"]?["flaky_cases"]?.arrayValue?.first?["id"] == .string("c2"))
    }

    @Test func anInconclusiveDropPassesLoudlyOrFailsAsConfigured() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: cases)
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        // Two of twenty cases fail now: a 10-point drop, but p = 0.25.
        try repo.write("model.py", Models.echo(flipping: ["q3", "q4"]))
        let check = repo.evalguard("check")
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("INCONCLUSIVE"))
        #expect(check.stdout.contains("Verdict: INCONCLUSIVE (main accuracy)"))
        #expect(check.stdout.contains("main accuracy: INCONCLUSIVE: to tell this drop from noise: about"))
        #expect(check.stdout.contains("note: 20 cases cannot show a drop below 0.25 as significant"))
        #expect(
            check.stderr.contains(
                "warning: INCONCLUSIVE: main accuracy beyond the threshold but not distinguishable from noise. PASSING anyway"
            ))
        let json = try JSONParser.parse(repo.evalguard("check", "--format", "json").stdout)
        #expect(json["verdict"] == .string("inconclusive"))
        #expect(json["blocks"] == .bool(false))
        let accuracy = json["suites"]?["main"]?["metrics"]?["accuracy"]
        #expect(abs((accuracy?["p_value"]?.numberValue ?? 1) - 0.25) < 1e-15)
        #expect(accuracy?["significant"] == .bool(false))
        #expect(accuracy?["min_detectable_drop"] == .number(0.25))
        #expect(accuracy?["interval"]?["current"]?.arrayValue?.count == 2)
        #expect(accuracy?["advice"]?.stringValue?.contains("--repeat 3") == true)

        try repo.setUpEvals(
            model: Models.echo(flipping: ["q3", "q4"]), cases: cases,
            extraConfig: Self.config(#""on_inconclusive": "fail""#))
        let strict = repo.evalguard("check")
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("Failing because on_inconclusive is \"fail\"."))
        #expect(strict.stderr.contains("FAILING because on_inconclusive is \"fail\""))
    }

    @Test func markdownCarriesTheTableTheEvidenceAndTheCases() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: cases)
        try repo.commitAll("Add evals")
        repo.evalguard("baseline")
        try repo.commitAll("Baseline")
        try repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"], to: "a|b"))
        let md = repo.evalguard("check", "--format", "markdown")
        #expect(md.status == 1)
        #expect(md.stdout.hasPrefix("### evalguard: ❌ regression\n"))
        #expect(md.stdout.contains("| suite | metric | baseline | current | delta | threshold | evidence | verdict |"))
        #expect(
            md.stdout.contains(
                "| main | accuracy | 1.0000 | 0.7000 | -0.3000 | max drop 0.01 | p = 0.0156 | **REGRESSION** |"))
        #expect(
            md.stdout.contains(
                "<details><summary>main: 6 case(s) regressed (pass → fail), 0 fixed (fail → pass)</summary>"))
        #expect(md.stdout.contains("- ➖ `c1`: expected `\"q1\"` got `\"a|b\"`"), "\(md.stdout)")
        #expect(md.stdout.contains("**Verdict: REGRESSION (main accuracy)**"))
        let usage = repo.evalguard("run", "--format", "markdown")
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("expected text or json"))
    }

    @Test func configurationKeysAreValidated() throws {
        func parse(_ extra: String) throws -> EvalConfig {
            try EvalConfig.parse(
                ConfigSource(
                    displayPath: ".evals/evalguard.json",
                    text: "{\"model\": {\"command\": [\"x\"]}, \"suites\": {\"s\": {\"cases\": \"c\"}}\(extra)}"))
        }
        #expect(try parse("").verdict == .defaults)
        let custom = try parse(#", "repeat": 5, "alpha": 0.01, "on_inconclusive": "fail", "flaky": "exclude""#).verdict
        #expect(
            custom.repeats == 5 && custom.alpha == 0.01 && custom.onInconclusive == .fail && custom.flaky == .exclude)
        for (bad, message) in [
            (#", "repeat": 0"#, "at least 1"), (#", "alpha": 0.5"#, "out of range"),
            (#", "on_inconclusive": "warn""#, #"on_inconclusive must be "pass" or "fail""#),
            (#", "flaky": "drop""#, #"flaky must be "include" or "exclude""#),
        ] {
            #expect(throws: EvalGuardError.self) { try parse(bad) }
            do { _ = try parse(bad) } catch let e as EvalGuardError {
                #expect(e.message.contains(message), "\(bad): \(e.message)")
            }
        }
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: cases)
        let bad = repo.evalguard("check", "--repeat", "0")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'--repeat'"))
    }

    @Test func aBaselineWithoutPassRatesIsStillRead() throws {
        let old = """
            {
              "dirty": false,
              "format": 1,
              "from_commit": "abc",
              "overall": {"accuracy": 0.5, "cases": 2, "errors": 0, "mean_latency_ms": 1, "p50_latency_ms": 1, "p95_latency_ms": 1, "p99_latency_ms": 1, "passed": 1, "timeouts": 0},
              "suites": {
                "main": {
                  "cases": {
                    "a": {"passed":true,"score":1},
                    "b": {"passed":false,"score":0}
                  },
                  "latencies_ms": [1, 1],
                  "metrics": {"accuracy": 0.5, "cases": 2, "errors": 0, "mean_latency_ms": 1, "p50_latency_ms": 1, "p95_latency_ms": 1, "p99_latency_ms": 1, "passed": 1, "timeouts": 0}
                }
              }
            }
            """
        let baseline = try Baseline.parse(Array(old.utf8), displayPath: "baseline.json")
        let a = try #require(baseline.suites["main"]?.cases["a"])
        #expect(a.passes == 1 && a.runCount == 1 && !a.isFlaky && baseline.repeats == nil)
        // Against a current run of three repeats per case.
        var current = Simulated.suite([3, 1], runs: 3)
        current.cases[0].id = "a"
        current.cases[1].id = "b"
        let suite = Gate.compare(
            name: "main", baseline: baseline.suites["main"]!, current: current, thresholds: Simulated.accuracyOnly)
        #expect(suite.fixed.map(\.id) == ["b"] && suite.flaky.map(\.id) == ["b"])
    }
}
