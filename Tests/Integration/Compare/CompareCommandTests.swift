import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardSupport

/// `evalguard compare`: variants of a command model over 200 cases. The current model answers
/// every case right at $0.01; "mini" gets the first 2 wrong at $0.001; "broken" the first 100 at
/// $0.002, and sleeps 20 ms a request (so it is slower as well as worse: dominated by "mini").
/// The model counts its requests by mode in a file.
@Suite(.serialized) struct CompareCommandTests {
    typealias Project = CompareProject

    @Test func comparesEveryVariantWithPairedStatisticsAndReusesAnswersTheSecondTime() throws {
        let p = try Project()
        let first = p.repo.evalguard("compare", "--format", "json")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(p.requests() == ["good": 200, "mini": 200, "broken": 200])
        let report = try p.json(first)
        let suite = try #require(report["suites"]?.arrayValue?.first)
        let candidates = try #require(suite["candidates"]?.arrayValue)
        let mini = try #require(candidates.first { $0["name"] == .string("mini") })
        let broken = try #require(candidates.first { $0["name"] == .string("broken") })
        #expect(mini["accuracy"] == .number(0.99))
        #expect(mini["worse"] == .number(2))
        #expect(mini["better"] == .number(0))
        // scipy.stats.binomtest(2, 2, 0.5).pvalue = 0.5; binomtest(100, 100, 0.5).pvalue = 1.5777218104420236e-30.
        // Holm over [0.5, 1.578e-30]: [max(2 * 1.578e-30, 0.5), 2 * 1.578e-30] = [0.5, 3.155e-30].
        #expect(mini["p_value"] == .number(0.5))
        #expect(mini["p_value_holm"] == .number(0.5))
        let brokenHolm = try #require(broken["p_value_holm"]?.numberValue)
        #expect(abs(brokenHolm - 2 * 1.5777218104420236e-30) < 1e-40)
        // Tango's score interval, computed independently by maximising the trinomial likelihood
        // numerically (scipy.optimize) and solving |z| = 1.96 with brentq: [-0.0357218, 0.0090338].
        let bounds = mini["accuracy_difference_interval"]?.arrayValue ?? []
        let interval = bounds.compactMap(\.numberValue)
        try #require(interval.count == 2)
        #expect(abs(interval[0] - -0.035721761717324906) < 1e-6 && abs(interval[1] - 0.009033779532844281) < 1e-6)
        #expect(mini["avg_cost_usd"] == .number(0.001))
        #expect(abs((mini["cost_per_correct_usd"]?.numberValue ?? 0) - 0.2 / 198) < 1e-12)
        #expect(mini["avg_tokens"] == .number(15))
        #expect(suite["current"]?["pareto"] == .bool(true), "the most accurate configuration is never dominated")
        #expect(mini["pareto"] == .bool(true), "the cheapest of the accurate ones")
        #expect(broken["pareto"] == .bool(false), "mini is more accurate, cheaper and faster")
        #expect(mini["flipped"]?.arrayValue?.count == 2)

        let second = p.repo.evalguard("compare")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(p.requests() == ["good": 200, "mini": 200, "broken": 200], "a second compare asks no model")
        #expect(second.stderr.contains("mini: every answer reused from stored results (no model asked)"))
        #expect(second.stdout.contains("suite main (200 cases)"))
        #expect(second.stdout.contains("-1.0 pts [-3.6 pts, +0.9 pts]"))
        // A model's answer reaches the terminal without its escape sequence.
        #expect(!second.stdout.contains("\u{1B}"))
        #expect(second.stdout.contains("wrong <b>\u{FFFD}[31m"))
    }

    @Test func aMarginGivesANonInferiorityVerdictAndExit1WhenItFails() throws {
        let p = try Project()
        // Tango's score test for H0: Δ <= -margin, n = 200, b = 2, c = 0 (reference as above):
        // margin 0.05: p = 0.00472208; margin 0.02: p = 0.156211.
        let holds = p.repo.evalguard("compare", "--variant", "mini", "--margin", "0.05")
        #expect(holds.status == 0, "\(holds.stderr)")
        #expect(
            holds.stdout.contains("mini is not worse than current by more than 5 points (p = 0.00472) and 90% cheaper"))
        #expect(p.requests()["broken"] == nil, "only the named variant runs")
        let fails = p.repo.evalguard("compare", "--variant", "mini", "--margin", "0.02", "--format", "json")
        #expect(fails.status == 1)
        let report = try p.json(fails)
        let n = try #require(report["suites"]?.arrayValue?.first?["candidates"]?.arrayValue?.first?["non_inferiority"])
        #expect(abs((n["p_value"]?.numberValue ?? 0) - 0.156211) < 1e-6)
        #expect(n["holds"] == .bool(false))
        #expect(p.requests()["mini"] == 200, "the second compare reused mini's answers")
        let markdown = p.repo.evalguard("compare", "--variant", "mini", "--margin", "0.05", "--format", "markdown")
        #expect(markdown.status == 0)
        #expect(markdown.stdout.contains("### main (200 cases)"))
        #expect(markdown.stdout.contains("| mini | 0.9900 | -1.0 pts [-3.6 pts, +0.9 pts] | 0.5 | pass |"))
        #expect(
            markdown.stdout.contains(
                "- mini is not worse than current by more than 5 points (p = 0.00472) and 90% cheaper"))
    }

    @Test func setMakesAnAdHocVariantAndABadOneIsAUsageError() throws {
        let p = try Project()
        let adHoc = p.repo.evalguard(
            "compare", "--set", #"models.answerer.command=["python3", "model.py", "mini"]"#, "--format", "json")
        #expect(adHoc.status == 0, "\(adHoc.stderr)")
        #expect(p.requests()["mini"] == 200)
        #expect(p.requests()["broken"] == nil)
        let bad = p.repo.evalguard("compare", "--set", "models.answerer.comand=x")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--set models.answerer.comand=x: models.answerer.comand: unknown key 'comand'"))
        #expect(bad.stderr.contains("Did you mean 'command'?"))
    }

    @Test func aBadVariantStopsEveryCommandAtItsLine() throws {
        let p = try Project(variants: "{\n    \"typo\": {\"models\": {\"answerer\": {\"job\": 2}}}\n  }")
        let compare = p.repo.evalguard("compare")
        #expect(compare.status == 2)
        #expect(
            compare.stderr.contains(".evals/evalguard.json:7: variants.typo.models.answerer.job: unknown key 'job'"))
        #expect(p.repo.evalguard("run").status == 2, "a bad variant is a bad configuration")
        #expect(p.requests().isEmpty)
    }

    @Test func adoptWritesTheVariantAndTheBaselineAndCommitsNothing() throws {
        let p = try Project()
        #expect(p.repo.evalguard("compare", "--variant", "mini").status == 0)
        let head = p.repo.head
        let adopted = p.repo.evalguard("compare", "--adopt", "mini")
        #expect(adopted.status == 0, "\(adopted.stderr)")
        #expect(
            adopted.stdout.contains(
                "adopted variant 'mini': wrote .evals/evalguard.json and .evals/baseline.json from its stored result"))
        #expect(p.requests()["mini"] == 200, "the baseline comes from the stored answers")
        let config = try #require(p.repo.read(".evals/evalguard.json"))
        #expect(config.contains("// The model in production."), "comments are kept")
        #expect(
            config.contains(
                #""models": {"answerer": {"command": ["python3","model.py","mini"], "jobs": 2, "timeout_s": 10}}"#))
        #expect(config.contains(#""broken": {"models""#), "the other keys are unchanged")
        let baseline = try #require(p.repo.read(".evals/baseline.json"))
        #expect(baseline.contains("\"accuracy\": 0.99"))
        #expect(
            baseline.contains("\"dirty\": true"),
            "the answers are not HEAD's: settling must not ask HEAD's model as the baseline's")
        #expect(p.repo.head == head, "nothing is committed")
        #expect(try p.repo.git("diff", "--cached", "--name-only").isEmpty, "the index is untouched")
        #expect(
            try p.repo.git("status", "--porcelain", "--untracked-files=all")
                == "M .evals/evalguard.json\n?? .evals/baseline.json")
        // The adopted configuration is the variant's: its next run asks no model.
        let run = p.repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(p.requests() == ["good": 200, "mini": 200])
    }

    @Test func againstACommitAndBadUsage() throws {
        let p = try Project()
        let head = p.repo.head
        let against = p.repo.evalguard("compare", "--against", "HEAD", "--suite", "main", "--variant", "mini")
        #expect(against.status == 0, "\(against.stderr)")
        #expect(against.stdout.contains("HEAD (\(head.prefix(7)))  "), "the current side is the commit's result")
        #expect(p.requests() == ["good": 200, "mini": 200])
        let suite = p.repo.evalguard("compare", "--suite", "nope")
        #expect(suite.status == 2 && suite.stderr.contains("no suite named 'nope' in .evals/evalguard.json"))
        let variant = p.repo.evalguard("compare", "--variant", "nope")
        #expect(
            variant.status == 2 && variant.stderr.contains("no variant named 'nope'")
                && variant.stderr.contains("Variants: broken, mini."))
        let margin = p.repo.evalguard("compare", "--margin", "2")
        #expect(margin.status == 2 && margin.stderr.contains("expected a fraction from 0 to 1"))
        #expect(p.requests() == ["good": 200, "mini": 200], "bad usage asks no model")
    }
}
