import Foundation
import Testing
@testable import EvalGuardSupport

/// evalguard against a real instruction-tuned model: SmolLM2-135M-Instruct on llama.cpp, served
/// on 127.0.0.1 by scripts/real-model/serve.py, driven through the built binary in a scratch
/// repository (run, baseline, a prompt change that check gates, a planted regression that check
/// catches and blame names). The model's own mistakes are data: the tests assert what evalguard
/// decided from its answers and what the server was asked, and what the model answers only where
/// the server's constrained decoding decides it. Skipped, saying what is missing, where the model
/// is not installed (scripts/real-model/install.sh installs it; CI runs it).
@Suite(.serialized) struct RealModelTests {
    /// Six orders to extract; short, so that a run on a loaded two-core machine stays short.
    static let orders = [
        ("o1", "Please send two pears to Lyon."), ("o2", "I would like 3 lamps delivered in Berlin."),
        ("o3", "One bicycle for Madrid, thanks."), ("o4", "Ship 5 books to Oslo."),
        ("o5", "Can I get four mugs sent to Rome?"), ("o6", "We need 10 chairs in Vienna."),
    ].map { JSONValue.object(["id": .string($0.0), "input": .string($0.1)]).canonicalText }

    /// What the team's code downstream accepts: the scorer's schema, committed beside the prompt.
    static let orderSchema = """
        {"type": "object", "required": ["item", "quantity", "city"],
         "properties": {"item": {"type": "string", "minLength": 1}, "quantity": {"type": "integer"},
                        "city": {"type": "string", "minLength": 1}}}
        """

    /// The schema the model is asked to answer in (`response_format`), its count named `count`.
    static func responseFormat(count: String) -> String {
        """
        {"type": "json_schema", "json_schema": {"name": "order", "strict": true, "schema": {
          "type": "object", "additionalProperties": false, "required": ["item", "\(count)", "city"],
          "properties": {"item": {"type": "string"}, "\(count)": {"type": "integer"}, "city": {"type": "string"}}}}}
        """
    }

    static func orderConfig(baseURL: String, count: String) -> String {
        """
        {
          "models": {
            "extractor": {"provider": "openai", "base_url": "\(baseURL)", "model": "smollm2",
                          "messages": [{"role": "system", "content": {"file": "prompts/extract.txt"}},
                                       {"role": "user", "content": "{{input}}"}],
                          "response_format": \(responseFormat(count: count)),
                          "temperature": 0, "seed": 7, "max_tokens": 48, "jobs": 1, "timeout_s": 300}
          },
          "suites": {
            "orders": {"cases": "cases/orders.jsonl", "model": "extractor",
                       "scorer": {"type": "json-schema", "schema_file": "schemas/order.json"},
                       "on_inconclusive": "fail"}
          },
          // A few cases decide nothing at 5 %: a drop below the baseline fails rather than passes.
          "settle": {"max_repeats": 0},
          "thresholds": {"p95_latency_ms": false, "avg_cost_usd": false}
        }
        """
    }

    @Test(.enabled(if: RealModel.xllamacppMissing == nil, Comment(rawValue: RealModel.xllamacppMissing ?? "")))
    func aJSONOutputSuiteIsGatedAndItsSchemaDriftBlamed() throws {
        let server = try RealModel.serve(.xllamacpp)
        let repo = try ScratchRepository()
        try repo.write("prompts/extract.txt", "Extract the customer's order as JSON: the item, how many, and the city.\n")
        try repo.write("schemas/order.json", Self.orderSchema)
        try repo.write(".evals/cases/orders.jsonl", Self.orders.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(".evals/evalguard.json", Self.orderConfig(baseURL: server.baseURL, count: "quantity"))
        try repo.commitAll("Order extraction, answered as JSON")

        let run = try runBinary(["run"], in: repo.root)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try server.chatRequests().count == 6)
        let first = try #require(try server.chatRequests().first)
        #expect(first["body"]?["response_format"]?["type"] == .string("json_schema"), "response_format is sent as written")
        #expect(first["body"]?["messages"]?[0]?["content"]?.stringValue?.hasPrefix("Extract the customer's order") == true)
        #expect(try runBinary(["baseline"], in: repo.root).status == 0)
        try repo.commitAll("Baseline")

        // A reworded prompt is a new input: every case is asked again, and the gate says what the
        // real model made of it (both verdicts are its answers; only a failure to evaluate is not).
        try repo.write("prompts/extract.txt", "Read the message and fill in the order: item, quantity and delivery city.\n")
        try repo.commitAll("Reword the extraction prompt")
        let reworded = repo.head
        let rewordedCheck = try runBinary(["check"], in: repo.root)
        #expect([0, 1].contains(rewordedCheck.status), "\(rewordedCheck.stdout)\(rewordedCheck.stderr)")
        #expect(try server.chatRequests().count == 12)

        // The planted regression: the format the model is asked for drifts from the schema the
        // scorer holds. The server's grammar makes every answer carry `count`, never `quantity`.
        try repo.write(".evals/evalguard.json", Self.orderConfig(baseURL: server.baseURL, count: "count"))
        try repo.commitAll("Ask for the count as count")
        let drift = repo.head
        let driftCheck = try runBinary(["check"], in: repo.root)
        #expect(driftCheck.status == 1, "\(driftCheck.stdout)\(driftCheck.stderr)")
        #expect(driftCheck.stdout.contains("REGRESSION"), "\(driftCheck.stdout)")
        let drifted = try server.chatRequests().dropFirst(12)
        #expect(drifted.count == 6)
        for request in drifted {
            let content = try #require(request["response"]?["choices"]?[0]?["message"]?["content"]?.stringValue)
            let answer = try JSONParser.parse(content)
            #expect(answer["count"] != nil && answer["quantity"] == nil, "\(content)")
        }

        // blame names the first commit check refused, from the stored results alone.
        let blame = try runBinary(["blame", "--format", "json"], in: repo.root)
        #expect(blame.status == 0, "\(blame.stdout)\(blame.stderr)")
        let found = try JSONParser.parse(blame.stdout)
        #expect(found["status"] == .string("found"))
        #expect(found["culprit"]?["sha"]?.stringValue == (rewordedCheck.status == 1 ? reworded : drift))
        #expect(try server.chatRequests().count == 18, "blame asked the model again")
    }
}
