import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// The least a judged suite needs: cases without `expected`, judged by an openai model without
/// `messages` (it gets the rendered judge prompt as its one user message).
@Suite(.serialized) struct MinimalJudgedSuiteTests {
    @Test func casesWithoutExpectedAreJudgedByAModelWithoutMessages() throws {
        let server = try OpenAITestServer(["--judge"])
        let repo = try ScratchRepository()
        try repo.write("reply.py", Models.echo())
        try repo.write(
            ".evals/cases/replies.jsonl",
            [
                #"{"id": "a", "input": "Your refund is on its way."}"#,
                #"{"id": "b", "input": "We cannot help."}"#,
            ].joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "models": {
                "feature": {"command": ["python3", "reply.py"], "timeout_s": 10},
                "grader": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "judge-1", "retry_backoff_s": 0.01}
              },
              "suites": {"replies": {"cases": "cases/replies.jsonl", "model": "feature",
                                     "scorer": {"type": "judge", "judge": "grader", "rubric": "A good reply says what happens next."}}},
              "thresholds": {"p95_latency_ms": false}
            }
            """)
        try repo.commitAll("a judged feature")
        let run = repo.evalguard("run")
        #expect(run.status == 0, "\(run.stderr)")
        let requests = try server.requests()
        #expect(requests.count == 2)
        for request in requests {
            let body = try JSONParser.parse(try #require(request["body"]?.stringValue))
            guard case .array(let messages)? = body["messages"] else {
                Issue.record("no messages")
                continue
            }
            #expect(messages.count == 1 && messages[0]["role"] == .string("user"))
            let prompt = try #require(messages[0]["content"]?.stringValue)
            #expect(prompt.contains("A good reply says what happens next.") && prompt.contains("(none)"), "\(prompt)")
        }
    }
}
