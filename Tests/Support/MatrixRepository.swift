import Foundation
import Testing

@testable import EvalGuardSupport

/// One product repository that holds every scorer kind and both provider kinds, each suite with
/// its own model files, so that a change to one suite's inputs touches no other suite's key:
/// the repository every path of the feature matrix (`FeatureMatrixTests`) runs in.
///
/// Suites (ten cases each; the case input is the answer a good feature gives):
///   exact       computed `exact` over a command model
///   listed      a list of computed scorers (`contains`, then `regex`)
///   schema      `json-schema` (an inline schema) over a model that answers JSON
///   program     a scoring program (`command` scorer)
///   judged      a judge over a command model (`grader`)
///   judged_api  a judge over the openai provider (`grader_api`, a stand-in judge server)
///   pairwise    a pairwise judge against the baseline's answers (over `grader_api`)
///   similar     `similarity` by embeddings (`embedder`, the stand-in chat server)
///   (the judge and embeddings models over the openai provider carry no `messages`: a model
///   used only to judge or embed needs none)
///   api         the openai provider as the feature, scored `exact`
///   slow        a command model that takes `slowStartMs` to start (its first answer is a cold start)
///   noisy       a command model declared non-deterministic
///   tools       `tool-call` over a command model printing tool-call objects, its calls checked
///               against the model's `tools`
///   agent_api   an agent loop over the openai provider (`tools`, `max_steps`, the case's
///               canned `tool_results`), scored by `tool-call` then `trajectory`
///   agent_anthropic  the same agent over the anthropic provider (a stand-in Messages API
///               answering with `tool_use` blocks, `tool_result` blocks sent back)
///   trajectory  `trajectory` over a command model printing an agent loop's `steps` (gated on
///               `avg_steps` too)
/// Latency is gated (p95 may not rise by more than 300% and 250 ms): a cold start that leaked
/// into a reused answer's latency is a regression here, jitter on a loaded machine is not.
package final class MatrixRepository {
    package static let suites = [
        "exact", "listed", "schema", "program", "judged", "judged_api", "pairwise", "similar", "api", "slow", "noisy",
        "tools", "trajectory", "agent_api", "agent_anthropic",
    ]
    /// The suites whose model is an HTTP provider against a stand-in server.
    package static let apiSuites: Set<String> = ["api", "agent_api", "agent_anthropic"]
    package static let caseCount = 10
    package static let slowStartMs = 700
    /// The asked scorers' suites start with one failing case, so that a later commit can fix it
    /// (a rise beside the falls that settling then has to weigh).
    package static let failingAtFirst: Set<Int> = [caseCount]
    package static let asked = ["program", "judged", "similar", "schema"]

    package let repo: ScratchRepository
    package let remote: String
    package let chat: OpenAITestServer
    package let judge: OpenAITestServer
    package let anthropic: AnthropicTestServer

    package init() throws {
        chat = try OpenAITestServer()
        anthropic = try AnthropicTestServer()
        judge = try OpenAITestServer(["--judge"])
        repo = try ScratchRepository()
        remote = NSTemporaryDirectory() + "evalguard-matrix-remote-\(UUID().uuidString).git"
        try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
        for suite in Self.suites where !Self.apiSuites.contains(suite) {
            try repo.write(
                "features/\(suite).py",
                Self.feature(suite, broken: Self.asked.contains(suite) ? Self.failingAtFirst : []))
        }
        try repo.write("judges/grader.py", Self.grader)
        try repo.write("scorers/score.py", Self.scorer)
        try repo.write(".evals/.gitignore", "results/\n")
        for suite in Self.suites { try repo.write(".evals/cases/\(suite).jsonl", Self.cases(suite)) }
        try repo.write(".evals/evalguard.json", config())
        try repo.commitAll("Three AI features and their evals")
        let baseline = repo.evalguard("baseline")
        guard baseline.status == 0 else { throw TestFailure("baseline failed: \(baseline.stderr)") }
        // The agent suites pass in full to begin with: their scorers read the answers they gate.
        let recorded = try JSONParser.parse(repo.read(".evals/baseline.json") ?? "")
        for suite in ["tools", "trajectory", "agent_api", "agent_anthropic"]
        where recorded["suites"]?[suite]?["metrics"]?["accuracy"] != .number(1) {
            throw TestFailure(
                "the \(suite) suite does not pass in full: \(recorded["suites"]?[suite]?["metrics"] ?? .null)")
        }
        guard recorded["suites"]?["trajectory"]?["metrics"]?["avg_steps"] == .number(2) else {
            throw TestFailure("trajectory: no avg_steps of 2")
        }
        for suite in ["agent_api", "agent_anthropic"]
        where recorded["suites"]?[suite]?["metrics"]?["avg_steps"] != .number(1) {
            throw TestFailure("\(suite): no avg_steps of 1")
        }
        try repo.commitAll("Record the baseline")
        try repo.git("remote", "add", "origin", remote)
        try repo.git("push", "-q", "-u", "origin", "main")
        try repo.git("remote", "set-head", "origin", "main")
        let install = try runBinary(["install-hook"], in: repo.root)
        guard install.status == 0 else { throw TestFailure("install-hook failed: \(install.stderr)") }
    }

    deinit { try? FileManager.default.removeItem(atPath: remote) }

    /// A case of `suite`: the input a good feature answers with, and (where the scorer needs it)
    /// what is expected.
    package static func cases(_ suite: String) -> String {
        (1...caseCount).map { i in
            let id = "\(suite)-\(i)"
            let word = "item\(i)"
            var c: [String: JSONValue] = ["id": .string(id), "input": .string("answer about \(word)")]
            switch suite {
            case "schema": break // the schema decides; nothing is expected
            case "judged", "judged_api", "pairwise", "listed": c["expected"] = .string(word)
            case "tools":
                c["expected"] = .object([
                    "tool_calls": .array([
                        .object([
                            "name": .string("lookup"), "arguments": .object(["q": .string("answer about \(word)")]),
                        ])
                    ])
                ])
            case "agent_api", "agent_anthropic":
                // The stand-in server plays the agent: a lookup call, then the answer once the
                // case's canned result is back.
                c["input"] = .string(#"call:lookup:{"q": "\#(word)"} then final:answer about \#(word)"#)
                c["tool_results"] = .array([
                    .object(["name": .string("lookup"), "result": .object(["found": .bool(true)])])
                ])
                c["expected"] = .object([
                    "tool_calls": .array([
                        .object(["name": .string("lookup"), "arguments": .object(["q": .string(word)])])
                    ]),
                    "steps": .array([.string("lookup")]),
                ])
            case "trajectory":
                c["expected"] = .object([
                    "steps": .array([
                        .object([
                            "name": .string("lookup"), "arguments": .object(["q": .string("answer about \(word)")]),
                        ]), .string("reply"),
                    ])
                ])
            default: c["expected"] = .string("answer about \(word)")
            }
            return JSONValue.object(c).canonicalText
        }.joined(separator: "\n") + "\n"
    }

    /// A feature that answers each case with its input (as JSON for `schema`); the ids in
    /// `broken` are answered wrongly. `comment` changes the file without changing an answer.
    package static func feature(_ suite: String, broken: Set<Int> = [], comment: String = "") -> String {
        let start = suite == "slow" ? "time.sleep(\(Double(slowStartMs) / 1000))" : ""
        let answer =
            switch suite {
            case "schema": #"{"answer": text}"#
            case "tools": #"{"content": None, "tool_calls": [{"name": "lookup", "arguments": {"q": text}}]}"#
            // A broken agent skips the lookup.
            case "trajectory":
                #"{"content": text, "tool_calls": [{"name": s["name"], "arguments": s["arguments"]} for s in steps], "steps": steps}"#
            default: "text"
            }
        let steps =
            suite != "trajectory"
            ? ""
            : #"steps = ([] if text != r["input"] else [{"name": "lookup", "arguments": {"q": text}, "result": {"found": True}}]) + [{"name": "reply", "arguments": {"text": text}, "result": None}]"#
        let ids = JSONValue.array(broken.sorted().map { .string("\(suite)-\($0)") }).canonicalText
        return """
            # \(suite) feature \(comment)
            import json, sys, time
            \(start)
            BROKEN = set(\(ids))
            for line in sys.stdin:
                r = json.loads(line)
                text = "something else entirely" if r["id"] in BROKEN else r["input"]
                \(steps)
                sys.stdout.write(json.dumps({"id": r["id"], "output": \(answer)}) + "\\n")
                sys.stdout.flush()
            """
    }

    /// A command judge: passes an answer that contains the expected text (from the default
    /// template's blocks).
    package static let grader = """
        import json, re, sys
        def block(prompt, name):
            m = re.search("<<<" + name + "\\n(.*?)\\n" + name + ">>>", prompt, re.S)
            return m.group(1) if m else ""
        for line in sys.stdin:
            r = json.loads(line)
            prompt = r["input"] if isinstance(r["input"], str) else json.dumps(r["input"])
            grade = "pass" if block(prompt, "EXPECTED").strip().lower() in block(prompt, "ANSWER").lower() else "fail"
            sys.stdout.write(json.dumps({"id": r["id"], "output": "Checked.\\nGRADE: " + grade}) + "\\n")
            sys.stdout.flush()
        """

    /// A scoring program: passes an output equal to the expected answer.
    package static let scorer = """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            ok = r["output"] == r.get("expected")
            sys.stdout.write(json.dumps({"id": r["id"], "pass": ok, "score": 1 if ok else 0, "reason": "" if ok else "differs"}) + "\\n")
            sys.stdout.flush()
        """

    package func config() -> String {
        func command(_ suite: String, _ extra: String = "") -> String {
            #"{"command": ["python3", "features/\#(suite).py"], "jobs": 1, "timeout_s": 20, "inputs": ["features/\#(suite).py"]\#(extra)}"#
        }
        let tools =
            #", "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}}}}}]"#
        let models = Self.suites.filter { !Self.apiSuites.contains($0) }.map {
            "\"m_\($0)\": \(command($0, $0 == "noisy" ? ", \"deterministic\": false" : $0 == "tools" ? tools : ""))"
        }
        let scorers: [String: String] = [
            "exact": #""exact""#, "listed": #"["contains", "regex"]"#,
            "schema":
                #"{"type": "json-schema", "schema": {"type": "object", "required": ["answer"], "properties": {"answer": {"type": "string", "pattern": "^answer about item[0-9]+$"}}}}"#,
            "program": #"{"type": "command", "command": ["python3", "scorers/score.py"], "timeout_s": 20}"#,
            "judged": #"{"type": "judge", "judge": "grader", "rubric": "A good answer names the item asked about."}"#,
            "judged_api":
                #"{"type": "judge", "judge": "grader_api", "rubric": "A good answer names the item asked about."}"#,
            "pairwise":
                #"{"type": "judge", "judge": "grader_api", "mode": "pairwise", "rubric": "The answer that names the item wins."}"#,
            "similar": #"{"type": "similarity", "model": "embedder", "threshold": 0.99}"#,
            "api": #""exact""#, "slow": #""exact""#, "noisy": #""exact""#,
            "tools": #"{"type": "tool-call", "arguments": "subset"}"#,
            "trajectory": #"{"type": "trajectory", "match": "in_order", "max_steps": 3}"#,
            "agent_api": #"[{"type": "tool-call", "arguments": "subset"}, {"type": "trajectory", "match": "exact"}]"#,
            "agent_anthropic":
                #"[{"type": "tool-call", "arguments": "subset"}, {"type": "trajectory", "match": "exact"}]"#,
        ]
        let suites = Self.suites.map { s in
            #""\#(s)": {"cases": "cases/\#(s).jsonl", "model": "\#(s == "api" ? "m_api" : "m_" + s)", "scorer": \#(scorers[s]!)}"#
        }
        let api =
            #""m_api": {"provider": "openai", "base_url": "\#(chat.baseURL)", "model": "feature-1", "messages": [{"role": "user", "content": "{{input}}"}], "retry_backoff_s": 0.01, "inputs": []}"#
            + #", "m_agent_api": {"provider": "openai", "base_url": "\#(chat.baseURL)", "model": "agent-1", "messages": [{"role": "user", "content": "{{input}}"}], "max_steps": 3, "retry_backoff_s": 0.01\#(tools)}"#
            + #", "m_agent_anthropic": {"provider": "anthropic", "base_url": "\#(anthropic.baseURL)", "model": "claude-agent-1", "max_tokens": 256, "max_steps": 3, "retry_backoff_s": 0.01"#
            + #", "tools": [{"name": "lookup", "input_schema": {"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}}}}]}"#
        let judges = """
            "grader": {"command": ["python3", "judges/grader.py"], "jobs": 1, "timeout_s": 20, "inputs": ["judges/grader.py"]},
            "grader_api": {"provider": "openai", "base_url": "\(judge.baseURL)", "model": "judge-1", "retry_backoff_s": 0.01},
            "embedder": {"provider": "openai", "base_url": "\(chat.baseURL)", "model": "embed-1"}
            """
        return """
            {
              "models": {
                \((models + [api]).joined(separator: ",\n    ")),
                \(judges)
              },
              "suites": {
                \(suites.joined(separator: ",\n    "))
              },
              "thresholds": {"accuracy": {"max_drop": 0.05}, "p95_latency_ms": {"max_increase_pct": 300, "min_increase_ms": 250}, "avg_cost_usd": false,
                             "avg_steps": {"max_increase_pct": 50}}
            }
            """
    }

    /// Rewrites one suite's feature and commits it on the current branch.
    package func commitFeature(_ suite: String, broken: Set<Int> = [], comment: String = "", message: String) throws {
        try repo.write("features/\(suite).py", Self.feature(suite, broken: broken, comment: comment))
        try repo.commitAll(message)
    }

    package func push(_ arguments: String...) throws -> Shell.Result {
        try Shell.run(["git", "push"] + arguments, in: repo.root)
    }

    /// A fresh clone of the remote in a temporary directory (removed by the caller's `defer`).
    package func clone(branch: String, depth: Int? = nil) throws -> String {
        let directory = NSTemporaryDirectory() + "evalguard-matrix-clone-\(UUID().uuidString)"
        var arguments = ["git", "clone", "-q", "-b", branch]
        if let depth { arguments += ["--depth", String(depth)] }
        let cloned = try Shell.run(arguments + ["file://" + remote, directory])
        guard cloned.status == 0 else { throw TestFailure("git clone failed: \(cloned.stderr)") }
        return directory
    }
}
