import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Prices that know about cached tokens, against a real server: llama.cpp (xllamacpp) keeps the
/// computed prefix of a prompt and reports its length as `prompt_tokens_details.cached_tokens`,
/// so a long system prompt that every case shares is billed at the cached rate from the second
/// request on. Skipped, saying what is missing, where the model is not installed.
@Suite(.serialized) struct RealModelCachedTokensTests {
    @Test(.enabled(if: RealModel.xllamacppMissing == nil, Comment(rawValue: RealModel.xllamacppMissing ?? "")))
    func aSharedSystemPromptIsBilledAtTheCachedRateTheServerReported() throws {
        let server = try RealModel.serve(.xllamacpp)
        let repo = try ScratchRepository()
        let policy = String(
            repeating: "You are the support assistant of an online shop; answer in one short, polite sentence. ",
            count: 30)
        try repo.write("prompts/support.txt", policy + "\n")
        let questions = [("q1", "Where is my order?"), ("q2", "Can I get a refund?"), ("q3", "Do you ship to Oslo?")]
        try repo.write(
            ".evals/cases/support.jsonl", questions.map { caseLine($0.0, $0.1, "order") }.joined(separator: "\n") + "\n"
        )
        try repo.write(".evals/.gitignore", "results/\n")
        // Dollars per million tokens: a cached prompt token costs a tenth of an uncached one.
        try repo.write(
            ".evals/prices.json",
            #"{"smollm2": {"input_per_million": 1, "output_per_million": 2, "cached_input_per_million": 0.1}}"#)
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "smollm2",
                       "messages": [{"role": "system", "content": {"file": "prompts/support.txt"}},
                                    {"role": "user", "content": "{{input}}"}],
                       "temperature": 0, "seed": 7, "max_tokens": 8, "jobs": 1, "timeout_s": 300},
             "suites": {"support": {"cases": "cases/support.jsonl", "scorer": "contains"}}}
            """)
        try repo.commitAll("Support replies under a long policy prompt")

        let run = try runBinary(["run"], in: repo.root)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(!run.stderr.contains("cached_input_per_million"), "the entry has a cached rate: \(run.stderr)")
        // What the server said it served from its cache, request by request (one at a time: jobs 1).
        let served = try server.chatRequests().map {
            $0["response"]?["usage"]?["prompt_tokens_details"]?["cached_tokens"]?.numberValue ?? 0
        }
        #expect(served.count == 3)
        #expect(served.dropFirst().allSatisfy { $0 > 0 }, "the shared prefix was not reused: \(served)")

        let result = try #require(try ResultStore(root: repo.root).load(commit: repo.head))
        let cases = result.suites[0].cases
        #expect(cases.count == 3)
        #expect(cases.map { $0.usage?["cached_tokens"] ?? 0 }.sorted() == served.sorted(), "stored as the server said")
        for c in cases {
            let usage = try #require(c.usage)
            let prompt = try #require(usage["prompt_tokens"])
            let completion = try #require(usage["completion_tokens"])
            let cached = usage["cached_tokens"] ?? 0
            // Cached tokens are a part of prompt_tokens, priced at the cached rate.
            let expected = ((prompt - cached) * 1 + cached * 0.1 + completion * 2) / 1_000_000
            let cost = try #require(c.costUSD)
            #expect(abs(cost - expected) < 1e-15, "\(c.id): \(cost) against \(expected) for \(usage)")
        }
    }
}
