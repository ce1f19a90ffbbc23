import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// `run`, `baseline` and `check` with the anthropic provider, as a user runs them, against the
/// stand-in Messages API: what the server received, what the result stores and costs, what
/// re-runs, the errors a user sees, and the documentation's example configurations.
@Suite(.serialized) struct AnthropicEndToEndTests {
    static let key = "sk-ant-e2e-secret-77c1"
    static let prices =
        #"{"claude-test": {"input_per_million": 3, "output_per_million": 15, "cached_input_per_million": 0.3, "cache_write_per_million": 3.75}}"#

    func repository(_ server: AnthropicTestServer, cases: [String], prices: String = Self.prices, extra: String = "")
        throws -> ScratchRepository
    {
        let repo = try ScratchRepository()
        try repo.write("prompts/system.txt", "You classify tickets.\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"provider": "anthropic", "base_url": "\(server.baseURL)", "model": "claude-test", "api_key_env": "EVAL_KEY",
                        "max_tokens": 64, "system": {"file": "prompts/system.txt"},
                        "messages": [{"role": "user", "content": "{{input}}"}], "retry_backoff_s": 0.01, "jobs": 2\(extra)},
              "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.write(".evals/cases/main.jsonl", cases.joined(separator: "\n") + "\n")
        try repo.write(".evals/prices.json", prices)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("evals")
        return repo
    }

    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(["EVAL_KEY": Self.key]) { _, new in new }
    }

    func result(_ repo: ScratchRepository) throws -> RunResult {
        let text = try #require(repo.read(".evals/results/\(repo.head).json"))
        return try JSONDecoder().decode(RunResult.self, from: Data(text.utf8))
    }

    @Test func runStoresCachedUsageCostsItExactlyAndNeverPrintsTheKey() throws {
        let server = try AnthropicTestServer(["--key", Self.key])
        let repo = try repository(
            server,
            cases: [
                caseLine("a", "input:1200 output:300 cached:5000 written:800"),
                caseLine("b", "status:529:1 retry-after:0 busy"),
            ])
        let r = try runBinary(["run"], in: repo.root, environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try #require(repo.read(".evals/results/\(repo.head).json"))
        for output in [r.stdout, r.stderr, text] { #expect(!output.contains(Self.key)) }
        let stored = try result(repo)
        #expect(stored.model["provider"] == .string("anthropic"))
        #expect(stored.model["anthropic_version"] == .string("2023-06-01"))
        #expect(stored.model["system"] == .object(["file": .string("prompts/system.txt")]))
        #expect(stored.model["api_key_env"] == .string("EVAL_KEY"))
        let cases = stored.suites[0].cases
        #expect(cases.map(\.passed) == [true, true])
        #expect(
            cases[0].usage == [
                "input_tokens": 1200, "output_tokens": 300, "cache_read_input_tokens": 5000,
                "cache_creation_input_tokens": 800,
            ])
        // 1200 × 3 + 5000 × 0.3 + 800 × 3.75 + 300 × 15 = 12600 per million.
        #expect(cases[0].costUSD == 0.0126)
        #expect(cases[1].retries == 1)
        let requests = try server.requests()
        #expect(requests.count == 3)
        #expect(
            requests.allSatisfy {
                $0["headers"]?["x-api-key"] == .string(Self.key)
                    && $0["headers"]?["anthropic-version"] == .string("2023-06-01")
            })
        let body = try JSONParser.parse(try #require(requests.first?["body"]?.stringValue))
        #expect(body["system"] == .string("You classify tickets.\n") && body["max_tokens"] == .number(64))
    }

    @Test func aPriceChangeRepricesWithoutCallsAndAMissingWriteRateIsNamed() throws {
        let server = try AnthropicTestServer()
        let noWriteRate =
            #"{"claude-test": {"input_per_million": 3, "output_per_million": 15, "cached_input_per_million": 0.3}}"#
        let repo = try repository(
            server, cases: [caseLine("a", "input:100 output:200 written:2000")], prices: noWriteRate)
        let r = try runBinary(["run"], in: repo.root, environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        let warning =
            "warning: model \"claude-test\" reported tokens written to the prompt cache, but its entry in .evals/prices.json has no "
            + "\"cache_write_per_million\": they were priced at the full input rate; add \"cache_write_per_million\" to its entry"
        #expect(r.stderr.components(separatedBy: warning).count == 2, "\(r.stderr)")
        // 100 × 3 + 2000 × 3 + 200 × 15 = 9300 per million.
        #expect(try result(repo).suites[0].cases[0].costUSD == 0.0093)

        try repo.write(".evals/prices.json", Self.prices)
        try repo.commitAll("a cache write rate")
        let again = try runBinary(["run"], in: repo.root, environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stderr.contains("cache_write_per_million"))
        #expect(try server.requests().count == 1)
        // 100 × 3 + 2000 × 3.75 + 200 × 15 = 10800 per million.
        let repriced = try result(repo)
        #expect(repriced.suites[0].cases[0].costUSD == 0.0108)
        #expect(repriced.suites[0].reuse?.repriced == 1)
    }

    @Test func baselineAndCheckGateAndWhatReachesTheModelRunsAgain() throws {
        let server = try AnthropicTestServer()
        let repo = try repository(server, cases: [caseLine("a", "hello there"), caseLine("b", "one two")])
        #expect(try runBinary(["run"], in: repo.root, environment: environment).status == 0)
        #expect(try runBinary(["baseline"], in: repo.root, environment: environment).status == 0)
        try repo.commitAll("baseline")
        #expect(try server.requests().count == 2)
        let same = try runBinary(["check"], in: repo.root, environment: environment)
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(try server.requests().count == 2)

        // The key's variable does not reach the model: nothing runs again.
        let config = try #require(repo.read(".evals/evalguard.json"))
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(of: #""api_key_env": "EVAL_KEY""#, with: #""api_key_env": "OTHER_KEY""#))
        let renamed = try runBinary(
            ["check"], in: repo.root, environment: environment.merging(["OTHER_KEY": Self.key]) { _, new in new })
        #expect(renamed.status == 0, "\(renamed.stdout)\(renamed.stderr)")
        #expect(try server.requests().count == 2)

        // anthropic_version does, and so does the system prompt's file.
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(
                of: #""max_tokens": 64"#, with: #""max_tokens": 64, "anthropic_version": "2024-10-22""#))
        let versioned = try runBinary(["check"], in: repo.root, environment: environment)
        #expect(versioned.status == 0, "\(versioned.stdout)\(versioned.stderr)")
        #expect(try server.requests().count == 4)
        #expect(try server.requests().last?["headers"]?["anthropic-version"] == .string("2024-10-22"))
        try repo.write(".evals/evalguard.json", config)
        try repo.write("prompts/system.txt", "You classify support tickets.\n")
        #expect(try runBinary(["check"], in: repo.root, environment: environment).status == 0)
        #expect(try server.requests().count == 6)
    }

    @Test func aMissingMaxTokensExitsTwoNamingTheFileLineAndFix() throws {
        let server = try AnthropicTestServer()
        let repo = try repository(server, cases: [caseLine("a", "hi")])
        let config = try #require(repo.read(".evals/evalguard.json"))
        try repo.write(".evals/evalguard.json", config.replacingOccurrences(of: #""max_tokens": 64, "#, with: ""))
        let r = try runBinary(["run"], in: repo.root, environment: environment)
        #expect(r.status == 2)
        #expect(r.stderr.contains(".evals/evalguard.json:2"), "\(r.stderr)")
        #expect(r.stderr.contains("missing \"max_tokens\""))
        #expect(r.stderr.contains("\"max_tokens\": 1024"))
        #expect(try server.requests().isEmpty)
    }

    @Test func theDocumentationsConfigurationsAreValid() throws {
        let doc = try String(contentsOfFile: TestPaths.packageRoot + "/docs/anthropic-provider.md", encoding: .utf8)
        let blocks = doc.components(separatedBy: "```json5\n").dropFirst().map {
            $0.components(separatedBy: "\n```")[0]
        }
        let configs = blocks.filter { $0.contains("\"suites\"") }
        #expect(configs.count == 2)
        for text in configs {
            let config = try EvalConfig.parse(ConfigSource(displayPath: "docs/anthropic-provider.md", text: text))
            #expect(config.model.openAI?.api == .anthropic)
        }
        let prices = try #require(blocks.first { $0.contains("input_per_million") })
        let table = try PriceTable.parse(ConfigSource(displayPath: "docs/anthropic-provider.md", text: prices))
        #expect(
            table.models["claude-sonnet-4-5"]?.cost(
                .anthropic(input: 1200, cacheRead: 5000, cacheWrite: 800, output: 300)) == 0.0126)
    }
}
