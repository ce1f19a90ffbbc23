import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// evalguard against a real instruction-tuned model: SmolLM2-135M-Instruct on llama.cpp, served
/// on 127.0.0.1 by scripts/real-model/serve.py, driven through the built binary in a scratch
/// repository: a JSON-output suite (xllamacpp, response_format) and a tool-calling suite
/// (llama-cpp-python, tools and a tool_choice naming the function), each through run, baseline,
/// a prompt change that check gates, and a planted regression that check catches and blame names. The model's own mistakes are data: the tests assert what evalguard
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
        try repo.write(
            "prompts/extract.txt", "Extract the customer's order as JSON: the item, how many, and the city.\n")
        try repo.write("schemas/order.json", Self.orderSchema)
        try repo.write(".evals/cases/orders.jsonl", Self.orders.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(".evals/evalguard.json", Self.orderConfig(baseURL: server.baseURL, count: "quantity"))
        try repo.commitAll("Order extraction, answered as JSON")

        let run = try runBinary(["run"], in: repo.root)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try server.chatRequests().count == 6)
        let first = try #require(try server.chatRequests().first)
        #expect(
            first["body"]?["response_format"]?["type"] == .string("json_schema"), "response_format is sent as written")
        #expect(
            first["body"]?["messages"]?[0]?["content"]?.stringValue?.hasPrefix("Extract the customer's order") == true)
        #expect(try runBinary(["baseline"], in: repo.root).status == 0)
        try repo.commitAll("Baseline")

        // A reworded prompt is a new input: every case is asked again, and the gate says what the
        // real model made of it (both verdicts are its answers; only a failure to evaluate is not).
        try repo.write(
            "prompts/extract.txt", "Read the message and fill in the order: item, quantity and delivery city.\n")
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

    /// Four weather questions; the model is made to call `get_weather` (tool_choice names it) and
    /// chooses its arguments itself.
    static let weather = [
        ("paris", "What's the weather like in Paris?", "Paris"),
        ("tokyo", "Is it raining in Tokyo right now?", "Tokyo"),
        ("madrid", "How warm is it in Madrid today?", "Madrid"), ("lima", "Weather for Lima, please.", "Lima"),
    ]
    .map { id, question, city in
        JSONValue.object([
            "id": .string(id), "input": .string(question),
            "expected": .object([
                "tool_calls": .array([
                    .object([
                        "name": .string("get_weather"),
                        "arguments": .object(["city": .string(city)]),
                    ])
                ])
            ]),
        ]).canonicalText
    }

    static func weatherTools(argument: String) -> String {
        """
        [{"type": "function", "function": {"name": "get_weather", "description": "The current weather in a city",
          "parameters": {"type": "object", "additionalProperties": false, "required": ["\(argument)"],
                         "properties": {"\(argument)": {"type": "string"}}}}}]
        """
    }

    @Test(.enabled(if: RealModel.llamaCppMissing == nil, Comment(rawValue: RealModel.llamaCppMissing ?? "")))
    func aToolCallingSuiteIsGatedAndAToolChangeBlamedInTwentyCommits() throws {
        let server = try RealModel.serve(.llamaCpp)
        let repo = try ScratchRepository()
        try repo.write(
            "agent/system.txt", "You are a weather assistant. Call get_weather for the city the user asks about.\n")
        try repo.write("agent/tools.json", Self.weatherTools(argument: "city"))
        try repo.write(".evals/cases/weather.jsonl", Self.weather.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "models": {
                "agent": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "smollm2",
                          "messages": [{"role": "system", "content": {"file": "agent/system.txt"}}, {"role": "user", "content": "{{input}}"}],
                          "tools": {"file": "agent/tools.json"},
                          "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                          "temperature": 0, "seed": 7, "max_tokens": 24, "jobs": 1, "timeout_s": 300, "inputs": ["agent/"]}
              },
              "suites": {
                "weather": {"cases": "cases/weather.jsonl", "model": "agent",
                            "scorer": {"type": "tool-call", "strings": "case-insensitive"}, "on_inconclusive": "fail"}
              },
              "settle": {"max_repeats": 0},
              "thresholds": {"p95_latency_ms": false, "avg_cost_usd": false}
            }
            """)
        try repo.commitAll("A weather agent that calls get_weather")
        var shas: [String] = []
        /// Commits that change nothing the suite depends on share its result: blame never probes them.
        func unrelated(_ count: Int) throws {
            for _ in 0..<count {
                try repo.write("docs/notes.md", "note \(shas.count)\n")
                try repo.commitAll("Notes \(shas.count)")
                shas.append(repo.head)
            }
        }

        let run = try runBinary(["run"], in: repo.root)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let sent = try server.chatRequests()
        #expect(sent.count == 4)
        #expect(sent.allSatisfy { $0["body"]?["tool_choice"]?["function"]?["name"] == .string("get_weather") })
        #expect(
            sent.allSatisfy {
                $0["body"]?["tools"]?[0]?["function"]?["parameters"]?["required"] == .array([.string("city")])
            })
        #expect(
            sent.allSatisfy {
                $0["response"]?["choices"]?[0]?["message"]?["tool_calls"]?[0]?["function"]?["name"]
                    == .string("get_weather")
            },
            "the server answered every request with a real tool call")
        #expect(try runBinary(["baseline"], in: repo.root).status == 0)
        try repo.commitAll("Baseline")
        try unrelated(5)

        // A reworded system prompt: asked again, gated on what the real model made of it.
        try repo.write("agent/system.txt", "Answer weather questions by calling get_weather with the city's name.\n")
        try repo.commitAll("Reword the weather prompt")
        let reworded = repo.head
        let rewordedCheck = try runBinary(["check"], in: repo.root)
        #expect([0, 1].contains(rewordedCheck.status), "\(rewordedCheck.stdout)\(rewordedCheck.stderr)")
        #expect(try server.chatRequests().count == 8)
        try unrelated(5)

        // The planted regression: the tool's argument is renamed; the server's grammar makes every
        // call carry `location`, and no call has the `city` the cases expect.
        try repo.write("agent/tools.json", Self.weatherTools(argument: "location"))
        try repo.commitAll("Name get_weather's argument location")
        let renamed = repo.head
        try unrelated(5)
        let history = Int(try repo.git("rev-list", "--count", "HEAD")) ?? 0
        #expect(history >= 20)
        let renamedCheck = try runBinary(["check"], in: repo.root)
        #expect(renamedCheck.status == 1, "\(renamedCheck.stdout)\(renamedCheck.stderr)")
        #expect(try server.chatRequests().count == 12)
        let result = try #require(repo.read(".evals/results/\(repo.head).json"))
        #expect(result.contains("call 1 get_weather: arguments.city: missing"), "\(result)")

        // blame names the first commit check refused, among 20, from the stored results alone.
        let blame = try runBinary(["blame", "--format", "json"], in: repo.root)
        #expect(blame.status == 0, "\(blame.stdout)\(blame.stderr)")
        let found = try JSONParser.parse(blame.stdout)
        #expect(found["status"] == .string("found"))
        #expect(found["culprit"]?["sha"]?.stringValue == (rewordedCheck.status == 1 ? reworded : renamed))
        // Only commits that change agent/ (the model's inputs) are keys: the notes share them.
        #expect(found["evaluations"] == .number(0), "\(blame.stdout)")
        #expect(found["distinct_keys"] == .number(rewordedCheck.status == 1 ? 3 : 2), "\(blame.stdout)")
        #expect(try server.chatRequests().count == 12, "blame asked the model again")
    }

    /// An agent loop's later requests carry the model's own tool-calling turn back (with empty
    /// content, which llama-cpp-python's server takes and a null one it answers 500) and the
    /// tools' answers: the real server takes them.
    @Test(.enabled(if: RealModel.llamaCppMissing == nil, Comment(rawValue: RealModel.llamaCppMissing ?? "")))
    func anAgentLoopTakesTwoStepsOnTheRealServer() throws {
        let server = try RealModel.serve(.llamaCpp)
        let repo = try ScratchRepository()
        try repo.write("agent/tools.json", Self.weatherTools(argument: "city"))
        let cases = [("paris", "Paris"), ("tokyo", "Tokyo")].map { id, city in
            JSONValue.object([
                "id": .string(id),
                "input": .object([
                    "messages": .array([
                        .object([
                            "role": .string("user"),
                            "content": .string("What's the weather in \(city)?"),
                        ])
                    ])
                ]),
                "tool_results": .array([
                    .object(["name": .string("get_weather"), "result": .object(["sky": .string("sunny")])])
                ]),
                "expected": .object(["steps": .array([.string("get_weather")])]),
            ]).canonicalText
        }
        try repo.write(".evals/cases/loop.jsonl", cases.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              "model": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "smollm2",
                        "messages": [{"role": "system", "content": "Call get_weather for the city the user asks about."}, "{{input.messages}}"],
                        "tools": {"file": "agent/tools.json"}, "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                        "max_steps": 2, "temperature": 0, "seed": 7, "max_tokens": 24, "jobs": 1, "timeout_s": 300, "max_retries": 0},
              "suites": {"loop": {"cases": "cases/loop.jsonl", "scorer": {"type": "trajectory", "match": "contains"}}},
              "thresholds": {"p95_latency_ms": false, "avg_cost_usd": false}
            }
            """)
        try repo.commitAll("A two-step weather agent")

        let run = try runBinary(["run"], in: repo.root)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let sent = try server.chatRequests()
        #expect(sent.count == 4)
        #expect(sent.allSatisfy { $0["status"] == .number(200) }, "\(sent.map { $0["status"] ?? .null })")
        let second = sent.filter {
            ($0["body"]?["messages"]?.arrayValue ?? []).contains { $0["role"] == .string("tool") }
        }
        #expect(second.count == 2, "each case's second request answers its first call")
        for request in second {
            let messages = try #require(request["body"]?["messages"]?.arrayValue)
            let assistant = try #require(messages.first { $0["role"] == .string("assistant") })
            #expect(
                assistant["content"] == .string("")
                    && assistant["tool_calls"]?[0]?["function"]?["name"] == .string("get_weather"))
            #expect(
                messages.last?["content"]?.stringValue.map {
                    (try? JSONParser.parse($0)) == .object(["sky": .string("sunny")])
                } == true)
        }
        let result = try JSONParser.parse(try #require(repo.read(".evals/results/\(repo.head).json")))
        let scored = try #require(result["suites"]?[0]?["cases"]?.arrayValue)
        #expect(scored.count == 2 && scored.allSatisfy { $0["passed"] == .bool(true) }, "\(scored)")
    }
}
