import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardReport
@testable import EvalGuardSupport

/// A flipped case of an agent suite shows its calls side by side: in `check` against the
/// expected calls, in `diff` and on the HTML page against the other side's answer, with the
/// differing name or arguments marked and everything the model wrote escaped.
@Suite struct FlippedCallsReportTests {
    static let script = "<script>alert(1)</script>"

    @Test func rowsPairByPositionAndNameWhatDiffers() throws {
        let expected =
            #"{"tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}, {"name": "refund"}]}"#
        let got =
            #"{"content": null, "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "B2", "verbose": true}}, {"name": "cancel", "arguments": {}}, {"name": "notify", "arguments": {}}]}"#
        let calls = try #require(CallComparison(left: expected, right: got))
        #expect(
            calls.lines(leftLabel: "expected", rightLabel: "got", indent: "") == [
                "tool calls (expected | got):",
                #"  1. lookup_order({"order_id":"A1"})  |  lookup_order({"order_id":"B2","verbose":true})  ≠ order_id, verbose"#,
                "  2. refund  |  cancel({})  ≠ name",
                "  3. -  |  notify({})  + only got",
            ])
        let steps =
            #"{"content": "ok", "tool_calls": [], "steps": [{"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": {"total": 10}}]}"#
        #expect(
            CallComparison(left: #"{"steps": ["lookup_order", "refund"]}"#, right: steps)?.lines(
                leftLabel: "expected", rightLabel: "got", indent: "") == [
                    "steps (expected | got):",
                    #"  1. lookup_order  |  lookup_order({"order_id":"A1"}) -> {"total":10}"#,
                    "  2. refund  |  -  - only expected",
                ])
        #expect(CallComparison(left: #""hello""#, right: #"{"answer": 1}"#) == nil)
        // Expected calls face an agent loop's calls, not its steps, which the expected side lacks.
        let loop =
            #"{"content": "ok", "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}], "steps": [{"name": "lookup_order", "arguments": {"order_id": "A1"}, "result": 1}]}"#
        #expect(
            CallComparison(
                left: #"{"tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}]}"#, right: loop)?
                .lines(leftLabel: "expected", rightLabel: "got", indent: "") == [
                    "tool calls (expected | got):",
                    #"  1. lookup_order({"order_id":"A1"})  |  lookup_order({"order_id":"A1"})"#,
                ])
    }

    @Test func theHTMLTableMarksDifferencesAndEscapesEverything() throws {
        let old = #"{"content": null, "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A1"}}]}"#
        let new =
            #"{"content": null, "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "\#(Self.script)"}}, {"name": "<b>x</b>", "arguments": {}}]}"#
        let html = try #require(CallComparison(left: old, right: new)).html(
            leftLabel: "baseline", rightLabel: "current")
        #expect(!html.contains("<script") && !html.contains("<b>"))
        #expect(
            html.contains("<mark>&quot;order_id&quot;:&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;</mark>"),
            "\(html)")
        #expect(html.contains("<mark>&lt;b&gt;x&lt;/b&gt;</mark>"), "\(html)")
    }

    static func agent(_ bad: String) -> String {
        """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            order = \(JSONValue.string(bad).canonicalText) if r["input"] == "A3" else r["input"]
            out = {"content": None, "tool_calls": [{"name": "lookup_order", "arguments": {"order_id": order}}]}
            sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\\n")
            sys.stdout.flush()
        """
    }

    static func project() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write("agent.py", agent("A3"))
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.write(
            ".evals/cases/orders.jsonl",
            (1...4).map {
                #"{"id": "o\#($0)", "input": "A\#($0)", "expected": {"tool_calls": [{"name": "lookup_order", "arguments": {"order_id": "A\#($0)"}}]}}"#
            }.joined(separator: "\n") + "\n")
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "agent.py"], "jobs": 1},
             "suites": {"orders": {"cases": "cases/orders.jsonl", "scorer": "tool-call"}},
             "thresholds": {"p95_latency_ms": false, "accuracy": {"max_drop": 0.5}}}
            """)
        try repo.commitAll("agent")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("baseline")
        return repo
    }

    @Test func checkDiffAndTheReportShowTheCalls() throws {
        let repo = try Self.project()
        try repo.write("agent.py", Self.agent(Self.script))

        let check = repo.evalguard("check")
        #expect(check.status == 0, "a drop within max_drop passes; the flipped case is shown all the same")
        #expect(check.stdout.contains("tool calls (expected | got):"), "\(check.stdout)")
        #expect(
            check.stdout.contains(
                #"1. lookup_order({"order_id":"A3"})  |  lookup_order({"order_id":"<script>alert(1)</script>"})  ≠ order_id"#
            ), "\(check.stdout)")

        let markdown = repo.evalguard("check", "--format", "markdown").stdout
        #expect(
            markdown.contains(
                #"  - 1. lookup_order({"order_id":"A3"})  \|  lookup_order({"order_id":"&lt;script>alert(1)&lt;/script>"})  ≠ order_id"#
            ), "\(markdown)")

        let report = repo.evalguard("report", "-o", "page.html")
        #expect(report.status == 0, "\(report.stderr)")
        let page = try #require(repo.read("page.html"))
        #expect(page.contains("<div class=\"calls\"><h4>tool calls, baseline → current</h4>"), "\(page)")
        #expect(page.contains("<mark>&quot;order_id&quot;:&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;</mark>"))
        #expect(!page.contains("<script>alert"))

        try repo.commitAll("a broken agent")
        let diff = repo.evalguard("diff", "HEAD~1", "HEAD")
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(
            diff.stdout.contains(#"|  lookup_order({"order_id":"<script>alert(1)</script>"})  ≠ order_id"#),
            "\(diff.stdout)")
    }

    /// blame's culprit lists the calls before and after it.
    @Test func blameShowsTheCallsBeforeAndAfterTheCulprit() throws {
        let repo = try Self.project()
        try repo.write("NOTES.md", "notes\n")
        // One case of four breaks: beyond this threshold (if within noise), which blame searches.
        try repo.write(
            ".evals/evalguard.json", repo.read(".evals/evalguard.json")!.replacingOccurrences(of: "0.5", with: "0.01"))
        try repo.commitAll("notes")
        try repo.write("agent.py", Self.agent("B9"))
        try repo.commitAll("a broken agent")
        let culprit = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.write("NOTES.md", "more notes\n")
        try repo.commitAll("more notes")
        let blame = repo.evalguard("blame", "--metric", "accuracy")
        #expect(blame.stdout.contains(String(culprit.prefix(7))), "\(blame.stdout)\(blame.stderr)")
        #expect(
            blame.stdout.contains(
                "  orders/o3\n    tool calls (before | after):\n"
                    + #"      1. lookup_order({"order_id":"A3"})  |  lookup_order({"order_id":"B9"})  ≠ order_id"#),
            "\(blame.stdout)")
    }
}
