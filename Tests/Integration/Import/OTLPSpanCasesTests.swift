import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardImport
@testable import EvalGuardSupport

/// OpenTelemetry GenAI spans exported as OTLP JSON become cases: every form of the semantic
/// conventions' messages, tool calls as `{"tool_calls": [...]}`. The committed export was made
/// by Fixtures/otel_genai_spans.py with the OpenTelemetry SDK for Python; a second test makes a
/// fresh one with the installed SDK and checks it reads to the same cases.
@Suite struct OTLPSpanCasesTests {
    static let fixtures = TestPaths.fixtures

    static let expectedCases = """
        {"id":"case-877cc1a40a11","input":[{"content":"You help with orders.","role":"system"},{"content":"Where is order A1?","role":"user"}],"expected":{"tool_calls":[{"arguments":{"order_id":"A1"},"name":"lookup_order"}]}}
        {"id":"case-e942fa24b2ce","input":[{"content":"Cancel order B2","role":"user"}],"expected":{"tool_calls":[{"arguments":{"order_id":"B2"},"name":"cancel_order"}]}}
        {"id":"case-327007dc5d08","input":[{"content":"What are your opening hours?","role":"user"}],"expected":"We open at 9."}
        {"id":"case-73b8787b8f37","input":[{"content":"Refund order C3","role":"user"}],"expected":{"tool_calls":[{"arguments":{"order_id":"C3"},"name":"refund"}]}}
        {"id":"case-cd4b238a9b17","input":[{"content":"Be brief.","role":"system"},{"content":"Say hello","role":"user"}],"expected":"Hello!"}

        """

    /// Answers as production did, from the last user message: a tool call or a text.
    static let agent = """
        import json, sys
        ANSWERS = {
            "Where is order A1?": {"tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}]},
            "Cancel order B2": {"tool_calls": [{"name": "cancel_order", "arguments": {"order_id": "B2"}}]},
            "Refund order C3": {"tool_calls": [{"name": "refund", "arguments": {"order_id": "C3"}}]},
            "What are your opening hours?": "We open at 9.",
            "Say hello": "Hello!",
        }
        for line in sys.stdin:
            r = json.loads(line)
            asked = [m["content"] for m in r["input"] if m["role"] == "user"][-1]
            sys.stdout.write(json.dumps({"id": r["id"], "output": ANSWERS.get(asked, "?")}) + "\\n")
            sys.stdout.flush()
        """

    func project(spans: String) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write("agent.py", Self.agent)
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "agent.py"], "jobs": 1, "timeout_s": 10},
             "suites": {"agent": {"cases": "cases/agent.jsonl", "scorer": "json"}}, "thresholds": {"p95_latency_ms": false}}
            """)
        try repo.write("traces/spans.json", spans)
        return repo
    }

    @Test func theCommittedExportReadsToCasesThatRun() throws {
        let spans = try String(contentsOfFile: Self.fixtures + "/otlp-genai-spans.json", encoding: .utf8)
        let repo = try project(spans: spans)
        let add = repo.evalguard(
            "cases", "add", "--from", "traces/spans.json", "--suite", "agent", "--expected-from", "output")
        #expect(add.status == 0, "\(add.stderr)")
        #expect(
            add.stdout.hasPrefix(
                "wrote 5 new case(s) to .evals/cases/agent.jsonl\nskipped 1:\n  traces/spans.json: span "))
        #expect(add.stdout.contains(": no prompt messages recorded (is content capture on in the instrumentation?)\n"))
        #expect(repo.read(".evals/cases/agent.jsonl") == Self.expectedCases)
        let run = repo.evalguard("run", "--format", "json")
        #expect(run.status == 0, "\(run.stderr)")
        #expect((try JSONParser.parse(run.stdout))["suites"]?["agent"]?["accuracy"] == .number(1), "\(run.stdout)")

        // Spans of one model only, by their attribute; the export again as one request a line.
        let oneLine = try JSONParser.parse(spans).canonicalText
        try repo.write("traces/collector.jsonl", oneLine + "\n" + oneLine + "\n")
        let filtered = repo.evalguard(
            "cases", "add", "--from", "traces/collector.jsonl", "--to", ".evals/cases/mini.jsonl",
            "--where", "attributes.gen_ai.request.model=gpt-4o-mini", "--expected-from", "output")
        #expect(filtered.status == 0, "\(filtered.stderr)")
        #expect(filtered.stdout.contains("wrote 1 new case(s) to .evals/cases/mini.jsonl\n"), "\(filtered.stdout)")
        #expect(filtered.stdout.contains("skipped 1:\n  traces/collector.jsonl:2: span "), "\(filtered.stdout)")
        #expect(filtered.stdout.contains(": the same id as an earlier case of this import ("), "\(filtered.stdout)")
        #expect(filtered.stdout.contains("left out by --where: 10 record(s)\n"), "\(filtered.stdout)")
        #expect(repo.read(".evals/cases/mini.jsonl")?.contains("cancel_order") == true)

        // The imported tool calls are gated as written by the tool-call scorer.
        let calls = Self.expectedCases.split(separator: "\n").filter { $0.contains("tool_calls") }
        try repo.write(".evals/cases/calls.jsonl", calls.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "agent.py"], "jobs": 1, "timeout_s": 10},
             "suites": {"calls": {"cases": "cases/calls.jsonl", "scorer": {"type": "tool-call"}}}, "thresholds": {"p95_latency_ms": false}}
            """)
        let scored = repo.evalguard("run", "--format", "json")
        #expect(scored.status == 0, "\(scored.stderr)")
        let report = try JSONParser.parse(scored.stdout)
        #expect(calls.count == 3 && report["suites"]?["calls"]?["accuracy"] == .number(1), "\(scored.stdout)")
    }

    static var sdkInstalled: Bool {
        (try? Shell.run(
            ["python3", "-c", "import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.common, google.protobuf"],
            in: NSTemporaryDirectory()
        ).status) == 0
    }

    @Test(
        .enabled(
            if: sdkInstalled,
            "the OpenTelemetry SDK for Python is not installed (pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-common)"
        ))
    func anExportMadeNowByThePythonSDKReadsToTheSameCases() throws {
        let repo = try project(spans: "")
        let made = try Shell.run(
            ["python3", Self.fixtures + "/otel_genai_spans.py", repo.path("traces/spans.json")], in: repo.root)
        #expect(made.status == 0, "\(made.stderr)")
        let add = repo.evalguard(
            "cases", "add", "--from", "traces/spans.json", "--suite", "agent", "--expected-from", "output")
        #expect(add.status == 0, "\(add.stderr)")
        #expect(repo.read(".evals/cases/agent.jsonl") == Self.expectedCases)
    }

    /// Messages recorded in structured form (OTLP `arrayValue` of `kvlistValue`), not as a JSON string.
    /// A flattened key with nothing after its prefix is no message, never a trap.
    @Test func aFlattenedKeyWithoutItsIndexIsLeftOut() {
        #expect(
            OTLPSpans.flattened(["gen_ai.prompt.": .string("x"), "gen_ai.prompt..": .string("y")], "gen_ai.prompt")
                == nil)
        #expect(
            OTLPSpans.flattened(
                ["gen_ai.prompt.0.content": .string("hi"), "gen_ai.prompt.": .string("x")], "gen_ai.prompt")?.count == 1
        )
    }

    @Test func structuredMessageAttributesAreRead() throws {
        func kv(_ key: String, _ value: String) -> String {
            #"{"key": "\#(key)", "value": {"stringValue": "\#(value)"}}"#
        }
        func message(_ role: String, _ part: String) -> String {
            #"{"kvlistValue": {"values": [\#(kv("role", role)), {"key": "parts", "value": {"arrayValue": {"values": [{"kvlistValue": {"values": [\#(part)]}}]}}}]}}"#
        }
        let call =
            kv("type", "tool_call") + ", " + kv("name", "refund")
            + #", {"key": "arguments", "value": {"kvlistValue": {"values": [{"key": "amount", "value": {"intValue": "25"}}]}}}"#
        let document = """
            {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
              "attributes": [\(kv("gen_ai.operation.name", "chat")),
                {"key": "gen_ai.input.messages", "value": {"arrayValue": {"values": [\(message("user", kv("type", "text") + ", " + kv("content", "Refund 25")))]}}},
                {"key": "gen_ai.output.messages", "value": {"arrayValue": {"values": [\(message("assistant", call))]}}}]}]}]}]}
            """
        let records = try ProductionRecords.read(document, display: "spans.json")
        let made = ProductionRecords.cases(records, inputField: "input", outputField: "output", expectedField: "output")
        #expect(made.skipped.isEmpty)
        #expect(made.cases.map(\.source) == ["spans.json: span eee19b7ec3c1b174"])
        #expect(
            made.cases.first?.input == .array([.object(["role": .string("user"), "content": .string("Refund 25")])]))
        #expect(
            made.cases.first?.expected
                == .object([
                    "tool_calls": .array([
                        .object(["name": .string("refund"), "arguments": .object(["amount": .number(25)])])
                    ])
                ]))
    }
}
