import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore

/// The time lost to retries is wall time: concurrent waits count once.
@Suite struct RetryWallTimeTests {
    @Test func concurrentRetryWaitsCountOnce() throws {
        let server = try OpenAITestServer()
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m",
                        "messages": [{"role": "user", "content": "{{input}}"}], "jobs": 4},
              "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}}
            }
            """)
        // Each case is refused once with Retry-After: 1, all four at the same time.
        let cases = (1...4).map { caseLine("c\($0)", "status:429:1 retry-after:1 n\($0)") }
        try repo.write(".evals/cases/main.jsonl", cases.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("evals")
        let run = repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        let text = try #require(repo.read(".evals/results/\(repo.head).json"))
        let result = try JSONDecoder().decode(RunResult.self, from: Data(text.utf8))
        let perRequest = result.suites[0].cases.compactMap(\.retryMs)
        #expect(perRequest.count == 4)
        let lost = try #require(result.overall.retryMs)
        // The four waits overlap: the wall time lost is about one wait, not the sum of four.
        #expect(lost < perRequest.reduce(0, +) / 2, "\(lost) ms lost, waits \(perRequest)")
        #expect(lost >= perRequest.max()!)
        #expect(run.stdout.contains("4 retried request(s);"), "\(run.stdout)")
        #expect(run.stdout.contains("ms of wall time lost to retries and back-off"))
    }
}
