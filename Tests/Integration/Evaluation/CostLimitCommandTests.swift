import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// `max_cost_usd` and `--max-cost` from the command line.
@Suite struct CostLimitCommandTests {
    func project(_ server: OpenAITestServer, extra: String = "") throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m",
                        "messages": [{"role": "user", "content": "{{input}}"}], "jobs": 2},
              "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}}\(extra)
            }
            """)
        try repo.write(".evals/prices.json", #"{"m": {"input_per_million": 1000, "output_per_million": 1000}}"#)
        // "case number N": 3 prompt and 3 completion tokens, $0.006 an answer.
        try repo.write(
            ".evals/cases/main.jsonl",
            (0..<30).map { caseLine("c\($0)", "case number \($0)") }.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("evals")
        return repo
    }

    @Test func maxCostFlagStopsTheRunWithExit3SayingWhatWasSpent() throws {
        let server = try OpenAITestServer()
        let repo = try project(server)
        let run = repo.evalguard("run", "--max-cost", "0.02")
        #expect(run.status == 3, "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "stopped before going over the cost limit of $0.0200: spent $0.0180 on 3 of 30 requests"),
            "\(run.stderr)")
        let sent = try server.requests().count
        #expect(sent == 3)
        let stored = repo.read(".evals/results/\(repo.head).json")
        #expect(stored == nil, "no result is stored for a run that stopped")
        #expect(repo.evalguard("run", "--max-cost", "lots").status == 2)
    }

    @Test func maxCostInTheConfigurationAndTheFlagOverridingIt() throws {
        let server = try OpenAITestServer()
        let repo = try project(server, extra: ", \"max_cost_usd\": 0.013")
        let stopped = repo.evalguard("run")
        #expect(stopped.status == 3)
        #expect(stopped.stderr.contains("spent $0.0120 on 2 of 30 requests"), "\(stopped.stderr)")
        let allowed = repo.evalguard("run", "--max-cost", "1")
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    @Test func maxCostWithoutPricesIsABadConfiguration() throws {
        let server = try OpenAITestServer()
        let repo = try project(server)
        try FileManager.default.removeItem(atPath: repo.root + "/.evals/prices.json")
        let run = repo.evalguard("run", "--max-cost", "1")
        #expect(run.status == 2)
        #expect(run.stderr.contains("needs a price table"), "\(run.stderr)")
        let sent = try server.requests()
        #expect(sent.isEmpty)
    }

    @Test func maxCostMustBeANumber() throws {
        let text = #"{"model": {"command": ["m"]}, "suites": {"s": {"cases": "c.jsonl"}}, "max_cost_usd": "ten"}"#
        #expect(throws: EvalGuardError.self) {
            try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
        }
        let ok = #"{"model": {"command": ["m"]}, "suites": {"s": {"cases": "c.jsonl"}}, "max_cost_usd": 2.5}"#
        #expect(try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: ok)).maxCostUSD == 2.5)
    }
}
