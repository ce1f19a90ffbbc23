import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCompare
@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Two suites answered by two priced openai models: the result describes both, and each suite's
/// cost is compared at its own model's prices.
@Suite(.serialized) struct TwoPricedModelsTests {
    @Test func eachSuiteIsPricedAndComparedByItsOwnModel() throws {
        let server = try OpenAITestServer()
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "models": {
                "small": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "gpt-4o-mini", "retry_backoff_s": 0.01, "messages": [{"role": "user", "content": "{{input}}"}]},
                "large": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "gpt-4o", "retry_backoff_s": 0.01, "messages": [{"role": "user", "content": "{{input}}"}]}
              },
              "suites": {
                "router": {"cases": "cases/router.jsonl", "model": "small"},
                "writer": {"cases": "cases/writer.jsonl", "model": "large"}
              },
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.write(
            ".evals/cases/router.jsonl",
            (0..<4).map { caseLine("r\($0)", "ticket \($0)") }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/cases/writer.jsonl",
            (0..<4).map { caseLine("w\($0)", "draft \($0)") }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/prices.json",
            """
            {"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60},
             "gpt-4o": {"input_per_million": 2.5, "output_per_million": 10}}
            """)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("two priced models")
        let baseline = repo.evalguard("baseline")
        #expect(baseline.status == 0, "\(baseline.stderr)")
        try repo.commitAll("baseline")
        let evaluator = Evaluator(repository: try Repository.discover(from: repo.root))
        let first = try evaluator.evaluate(.workingTree).result
        let models = try #require(first.models)
        #expect(Set(models.keys) == ["models.small", "models.large"])
        #expect(first.prices(ofSuite: "writer")?["input_per_million"] == .number(2.5))
        #expect(first.prices(ofSuite: "router")?["input_per_million"] == .number(0.15))
        let recorded = try Baseline.parse(
            Array(try #require(repo.read(Baseline.path)).utf8), displayPath: Baseline.path)
        #expect(recorded.suites["writer"]?.prices?["input_per_million"] == .number(2.5))

        // Only the large model's prices change: the writer's cost moved because of prices, the
        // router's did not move at all.
        try repo.write(
            ".evals/prices.json",
            """
            {"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60},
             "gpt-4o": {"input_per_million": 5, "output_per_million": 20}}
            """)
        try repo.commitAll("the large model costs twice as much")
        let requests = try server.requests().count
        let after = try evaluator.evaluate(.workingTree).result
        #expect(try server.requests().count == requests)
        let comparison = Gate.compare(
            baseline: recorded, current: after, config: try Workspace(directory: repo.root).config)
        let cost = { (suite: String) in
            comparison.suites.first { $0.name == suite }?.metrics.first { $0.metric == .avgCostUSD }
        }
        #expect(cost("writer")?.pricesChanged == true && cost("writer")?.verdict == .inconclusive)
        #expect(cost("router")?.pricesChanged == false && cost("router")?.verdict == .pass)
    }
}
