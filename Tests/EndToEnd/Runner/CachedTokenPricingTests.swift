import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Cached prompt tokens (OpenAI-compatible `usage.prompt_tokens_details.cached_tokens`, a part of
/// `prompt_tokens`) are priced at `cached_input_per_million`, exactly, and kept in the stored
/// usage as `cached_tokens` so a price change re-prices them without calls.
@Suite struct CachedTokenPricingTests {
    static let cachedRate =
        #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60, "cached_input_per_million": 0.075}}"#
    static let noCachedRate = #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60}}"#

    func table(_ text: String) throws -> PriceTable {
        try PriceTable.parse(ConfigSource(displayPath: ".evals/prices.json", text: text))
    }

    @Test func cachedTokensArePricedAtTheCachedRateExactly() throws {
        let price = try #require(try table(Self.cachedRate).models["gpt-4o-mini"])
        #expect(price.cachedInputPerMillion == Decimal(string: "0.075"))
        // No cached tokens: 1234 × 0.15 + 567 × 0.60 = 375.3 per million.
        #expect(price.cost(.openAICompatible(prompt: 1234, cached: 0, completion: 567)) == 0.0005253)
        // 1000 of the 1234 cached: 234 × 0.15 + 1000 × 0.075 + 567 × 0.60 = 450.3 per million.
        #expect(price.cost(.openAICompatible(prompt: 1234, cached: 1000, completion: 567)) == 0.0004503)
        #expect(!price.lacksCachedRate(.openAICompatible(prompt: 1234, cached: 1000, completion: 567)))
        // More cached tokens than prompt tokens is no usage a server means.
        #expect(price.cost(.openAICompatible(prompt: 10, cached: 11, completion: 0)) == nil)
        #expect(price.json["cached_input_per_million"] == .number(0.075))
    }

    @Test func withoutACachedRateCachedTokensCostTheFullInputRate() throws {
        let price = try #require(try table(Self.noCachedRate).models["gpt-4o-mini"])
        #expect(price.cost(.openAICompatible(prompt: 1234, cached: 1000, completion: 567)) == 0.0005253)
        #expect(price.lacksCachedRate(.openAICompatible(prompt: 1234, cached: 1000, completion: 567)))
        #expect(!price.lacksCachedRate(.openAICompatible(prompt: 1234, cached: 0, completion: 567)))
        #expect(price.json["cached_input_per_million"] == nil)
    }

    @Test func storedUsageIsReadWithItsCachedFigure() {
        let tokens = PriceTable.BilledTokens(usage: ["prompt_tokens": 3, "completion_tokens": 2, "cached_tokens": 1])
        #expect(tokens == .openAICompatible(prompt: 3, cached: 1, completion: 2))
        #expect(tokens?.summed(over: 3) == .openAICompatible(prompt: 9, cached: 3, completion: 6))
        #expect(PriceTable.BilledTokens(usage: ["prompt_tokens": 3]) == nil)
    }

    @Test func cacheRatesAreValidatedAtTheirLine() throws {
        let write = try #require(
            try table(#"{"m": {"input_per_million": 1, "output_per_million": 2, "cache_write_per_million": 1.25}}"#)
                .models["m"])
        #expect(write.cacheWritePerMillion == Decimal(string: "1.25"))
        for bad in [#""cached_input_per_million": "cheap""#, #""cache_write_per_million": -1"#] {
            let text = "{\"m\": {\"input_per_million\": 1, \"output_per_million\": 2,\n \(bad)}}"
            #expect {
                try table(text)
            } throws: { error in
                (error as? EvalGuardError)?.location == ".evals/prices.json:2"
            }
        }
    }

    // MARK: - a run against the stand-in server

    func repository(_ server: OpenAITestServer, prices: String, cases: [String]) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "gpt-4o-mini", "api_key_env": "EVAL_KEY",
                       "messages": [{"role": "user", "content": "{{input}}"}]},
             "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}}}
            """)
        try repo.write(".evals/cases/main.jsonl", cases.joined(separator: "\n") + "\n")
        try repo.write(".evals/prices.json", prices)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("evals")
        return repo
    }

    func result(_ repo: ScratchRepository) throws -> RunResult {
        let text = try #require(repo.read(".evals/results/\(repo.head).json"))
        return try JSONDecoder().decode(RunResult.self, from: Data(text.utf8))
    }

    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["EVAL_KEY": "k"]) { _, new in new }
    }

    @Test func aServerAnswerWithCachedTokensIsPricedAndKeptAndRepricedWithoutCalls() throws {
        let server = try OpenAITestServer()
        // "hello there cached:1": 3 prompt tokens, 1 of them cached, 3 completion tokens.
        let repo = try repository(
            server, prices: Self.cachedRate,
            cases: [caseLine("a", "hello there cached:1"), caseLine("b", "hello there")])
        let r = try runBinary(["run"], in: repo.root, environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("cached_input_per_million"))
        var cases = try result(repo).suites[0].cases
        #expect(cases[0].usage?["cached_tokens"] == 1 && cases[0].usage?["prompt_tokens"] == 3)
        // 2 × 0.15 + 1 × 0.075 + 3 × 0.60 = 2.175 per million.
        #expect(cases[0].costUSD == 0.000002175)
        // 2 × 0.15 + 2 × 0.60 = 1.5 per million.
        #expect(cases[1].usage?["cached_tokens"] == nil && cases[1].costUSD == 0.0000015)

        let asked = try server.requests().count
        try repo.write(
            ".evals/prices.json",
            #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60, "cached_input_per_million": 0.03}}"#
        )
        try repo.commitAll("cheaper cache reads")
        let again = try runBinary(["run"], in: repo.root, environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try server.requests().count == asked)
        let repriced = try result(repo)
        cases = repriced.suites[0].cases
        // 2 × 0.15 + 1 × 0.03 + 3 × 0.60 = 2.13 per million.
        #expect(cases[0].costUSD == 0.00000213)
        #expect(cases[0].usage?["cached_tokens"] == 1)
        #expect(repriced.suites[0].reuse?.repriced == 1)
    }

    @Test func cachedTokensWithoutACachedRateCostTheFullRateWithOneWarning() throws {
        let server = try OpenAITestServer()
        let repo = try repository(
            server, prices: Self.noCachedRate,
            cases: [caseLine("a", "hello there cached:1"), caseLine("b", "one two cached:2")])
        let r = try runBinary(["run"], in: repo.root, environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        let warning =
            "warning: model \"gpt-4o-mini\" reported cached prompt tokens, but its entry in .evals/prices.json has no "
            + "\"cached_input_per_million\": they were priced at the full input rate; add \"cached_input_per_million\" to its entry"
        #expect(r.stderr.components(separatedBy: warning).count == 2, "\(r.stderr)")
        let cases = try result(repo).suites[0].cases
        // 3 × 0.15 + 3 × 0.60 = 2.25 per million, the cached token at the full rate.
        #expect(cases[0].costUSD == 0.00000225 && cases[1].costUSD == 0.00000225)
    }

    @Test func batchedCachedTokensAreCheckedAgainstTheBatchRates() throws {
        let server = try OpenAITestServer()
        let repo = try repository(
            server,
            prices:
                #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60, "batch_cached_input_per_million": 0.03}}"#,
            cases: [caseLine("a", "hello there cached:1")])
        let r = try runBinary(["run", "--batch"], in: repo.root, environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("reported cached prompt tokens"), "\(r.stderr)")
        // 2 × 0.075 + 1 × 0.03 + 3 × 0.30 = 1.08 per million: the cached token at its batch rate.
        #expect(try result(repo).suites[0].cases[0].costUSD == 0.00000108)
    }
}
