import EvalGuardSupport
import FoundationEssentials

/// How a suite decides whether the model's output for a case is right.
package enum Scorer: Sendable, Equatable {
    /// Equal to `expected` (strings optionally trimmed and case-folded; other JSON structurally).
    case exact(TextOptions)
    /// The output text contains `expected`.
    case contains(TextOptions)
    /// The output text matches the regular expression in `expected` (anywhere; anchor it for a full match).
    case regex
    /// Structural JSON equality, key order ignored; a string output is parsed as JSON first.
    case json
    /// A number within an absolute or relative tolerance of `expected`.
    case numeric(absolute: Double, relative: Double)
    /// Equal (as `exact`) to any of the answers listed in `expected`.
    case oneOf(TextOptions)
    /// A model grades the answer against a rubric (scored outside `ScoringSession`, in batches).
    case judge(JudgeSettings)
    /// The team's own scoring program (scored outside `ScoringSession`, in one batch).
    case command(CommandScorerSettings)
    /// Cosine similarity of embeddings (scored outside `ScoringSession`, in one batch).
    case similarity(SimilaritySettings)
    /// `[{...}, {...}]`: scorers in order; a case passes when all do, and a later scorer is
    /// skipped once an earlier one failed (cheap checks first, the judge last).
    case list([Scorer])
    /// The output (parsed as JSON when it is a string) validates against a JSON Schema.
    case jsonSchema(SchemaSource)
    /// The output's `tool_calls` are the expected calls, no more (its score: the F1 over calls).
    case toolCall(ToolCallSettings)
    /// The output's `steps` (an agent loop's calls with their results) follow the expected ones.
    case trajectory(TrajectorySettings)

    /// Where a json-schema scorer's schema comes from: written inline (`schema`), or a file
    /// (`schema_file`, from the repository root) that the suite's loader reads into `schema`.
    package struct SchemaSource: Sendable, Equatable {
        package var schema: JSONValue?
        package var file: String?
        /// Blob id of the schema file, once read: part of each case's scoring digest.
        package var fileDigest: String?
    }

    package struct TextOptions: Sendable, Equatable {
        package var trim = true
        package var caseInsensitive = false
    }

    package static let names = [
        "exact", "contains", "regex", "json", "numeric", "one-of", "json-schema", "tool-call", "trajectory", "judge",
        "command", "similarity",
    ]

    package var name: String {
        switch self {
        case .exact: "exact"
        case .contains: "contains"
        case .regex: "regex"
        case .json: "json"
        case .numeric: "numeric"
        case .oneOf: "one-of"
        case .jsonSchema: "json-schema"
        case .toolCall: "tool-call"
        case .trajectory: "trajectory"
        case .judge: "judge"
        case .command: "command"
        case .similarity: "similarity"
        case .list(let steps): steps.map(\.name).joined(separator: "+")
        }
    }

    /// The judge of this scorer (itself, or a step of its list), if any.
    package var judge: JudgeSettings? {
        switch self {
        case .judge(let settings): settings
        case .list(let steps): steps.lazy.compactMap(\.judge).first
        default: nil
        }
    }

    /// The scoring program of this scorer (itself, or a step of its list), if any.
    package var command: CommandScorerSettings? {
        switch self {
        case .command(let settings): settings
        case .list(let steps): steps.lazy.compactMap(\.command).first
        default: nil
        }
    }

    /// The embeddings comparison of this scorer (itself, or a step of its list), if any.
    package var similarity: SimilaritySettings? {
        switch self {
        case .similarity(let settings): settings
        case .list(let steps): steps.lazy.compactMap(\.similarity).first
        default: nil
        }
    }

    /// True for a scorer evalguard asks rather than computes (a judge or a scoring program):
    /// it runs last, in a batch, once the scorers before it pass.
    package var isExternal: Bool {
        switch self {
        case .judge, .command, .similarity: true
        case .list(let steps): steps.contains { $0.isExternal }
        default: false
        }
    }

    /// Whether the verdict depends on a regular expression (the `regex` scorer's pattern, a
    /// schema's `pattern` and `patternProperties`), so on the engine that matches it.
    package var usesRegularExpressions: Bool {
        switch self {
        case .regex, .jsonSchema, .toolCall: true
        case .list(let steps): steps.contains { $0.usesRegularExpressions }
        default: false
        }
    }

    /// The scorers that run before the judge or scoring program: the steps of a list before
    /// it, or the scorer itself when it has none.
    package var beforeJudge: [Scorer] {
        switch self {
        case .judge, .command, .similarity: []
        case .list(let steps): Array(steps.prefix { !$0.isExternal })
        default: [self]
        }
    }

    /// `"exact"`, or `{"type": "numeric", "abs_tol": 0.01}` and the like.
    package init(node: ConfigNode) throws {
        if case .array(let items) = node.value {
            guard !items.isEmpty else {
                throw node.error(
                    "an empty list of scorers",
                    hint: "List one or more, for example [\"contains\", {\"type\": \"judge\", ...}].")
            }
            let steps = try items.enumerated().map { i, item in
                let step = node.child("[\(i)]", item)
                if case .array = item { throw step.error("a list of scorers cannot hold another list") }
                return try Scorer(node: step)
            }
            let judged = steps.indices.filter { steps[$0].isExternal }
            if judged.count > 1 { throw node.error("a suite has at most one judge, command or similarity scorer") }
            if let j = judged.first, j != steps.count - 1 {
                throw node.child("[\(j)]", items[j]).error(
                    "\(steps[j].judge != nil ? "the judge" : "the \(steps[j].name) scorer") must be the last scorer of the list",
                    hint: "Scorers run in order and a later one is skipped once one fails: put cheap checks first.")
            }
            self = steps.count == 1 ? steps[0] : .list(steps)
            return
        }
        if node.value["type"] == .string("judge") {
            self = .judge(try JudgeSettings(node: node))
            return
        }
        if node.value["type"] == .string("similarity"), case .object = node.value {
            self = .similarity(try SimilaritySettings(node: node))
            return
        }
        if node.value["type"] == .string("command"), case .object = node.value {
            self = .command(try CommandScorerSettings(node: node))
            return
        }
        if case .object = node.value, let type = node.value["type"]?.stringValue,
            type == "tool-call" || type == "trajectory"
        {
            self =
                type == "tool-call"
                ? .toolCall(try ToolCallSettings(node: node)) : .trajectory(try TrajectorySettings(node: node))
            return
        }
        var type: String
        var members: [String: ConfigNode] = [:]
        if case .string(let s) = node.value {
            type = s
        } else {
            members = try node.object(allowed: [
                "type", "trim", "case_insensitive", "abs_tol", "rel_tol", "schema", "schema_file",
            ])
            guard let t = members["type"] else {
                throw node.error("a scorer object needs \"type\" (one of \(Self.names.joined(separator: ", ")))")
            }
            type = try t.string()
        }
        var text = TextOptions()
        if let t = members["trim"] { text.trim = try t.bool() }
        if let c = members["case_insensitive"] { text.caseInsensitive = try c.bool() }
        let textKeys: Set = ["type", "trim", "case_insensitive"]
        let allowedKeys: Set<String>
        switch type {
        case "exact":
            self = .exact(text)
            allowedKeys = textKeys
        case "contains":
            self = .contains(text)
            allowedKeys = textKeys
        case "one-of":
            self = .oneOf(text)
            allowedKeys = textKeys
        case "regex":
            self = .regex
            allowedKeys = ["type"]
        case "json":
            self = .json
            allowedKeys = ["type"]
        case "tool-call":
            self = .toolCall(ToolCallSettings())
            allowedKeys = ["type"]
        case "trajectory":
            self = .trajectory(TrajectorySettings())
            allowedKeys = ["type"]
        case "numeric":
            let abs = try members["abs_tol"]?.number(in: 0...Double.greatestFiniteMagnitude) ?? 1e-9
            let rel = try members["rel_tol"]?.number(in: 0...Double.greatestFiniteMagnitude) ?? 0
            self = .numeric(absolute: abs, relative: rel)
            allowedKeys = ["type", "abs_tol", "rel_tol"]
        case "similarity":
            throw node.error(
                "the similarity scorer needs its settings",
                hint: "Write {\"type\": \"similarity\", \"model\": \"embedder\", \"threshold\": 0.85}.")
        case "command":
            throw node.error(
                "the command scorer needs its program",
                hint: "Write {\"type\": \"command\", \"command\": [\"python3\", \"scorers/tone.py\"]}.")
        case "judge":
            throw node.error(
                "the judge scorer needs its settings",
                hint: "Write {\"type\": \"judge\", \"judge\": \"<a model in models>\", \"rubric\": \"...\"}.")
        case "json-schema":
            let source = try Self.schemaSource(members, node)
            self = .jsonSchema(source)
            allowedKeys = ["type", source.file == nil ? "schema" : "schema_file"]
        default:
            let hint =
                Suggestion.closest(to: type, among: Self.names).map { "Did you mean '\($0)'?" }
                ?? "Scorers: " + Self.names.joined(separator: ", ") + "."
            let at = members["type"] ?? node
            throw at.error("unknown scorer '\(type)'", hint: hint)
        }
        if let (extra, member) = members.sorted(by: { $0.key < $1.key }).first(where: { !allowedKeys.contains($0.key) })
        {
            throw member.error("'\(extra)' does not apply to the \(type) scorer")
        }
    }

    private static func schemaSource(_ members: [String: ConfigNode], _ node: ConfigNode) throws -> SchemaSource {
        switch (members["schema"], members["schema_file"]) {
        case (let inline?, nil):
            guard inline.value.objectValue != nil || inline.value.boolValue != nil else {
                throw inline.error("a JSON Schema is an object or a boolean, found \(inline.value.kindName)")
            }
            return SchemaSource(schema: inline.value)
        case (nil, let file?):
            let path = try file.string()
            guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw file.error(
                    "schema_file must be a path inside the repository, from its root (for example \".evals/schemas/reply.json\")"
                )
            }
            return SchemaSource(file: path)
        case (_?, _?):
            throw node.error("the json-schema scorer takes \"schema\" or \"schema_file\", not both")
        case (nil, nil):
            throw node.error(
                "the json-schema scorer needs \"schema\" (the schema inline) or \"schema_file\" (a path from the repository root)"
            )
        }
    }

    /// Why `expected` cannot be scored by this scorer, or nil when it can. Checked when cases load,
    /// so the message names the case's line rather than failing mid-run.
    /// What is wrong with a case's `expected` for this scorer, nil when it fits; `expected` is
    /// nil when the case has none, which only a scorer that compares with it minds.
    package func problem(withExpected expected: JSONValue?) -> String? {
        guard let expected else {
            return needsExpected.map { "missing \"expected\": the \($0) scorer compares the output with it" }
        }
        switch self {
        case .contains:
            return expected.stringValue == nil ? "the contains scorer needs \"expected\" to be a string" : nil
        case .regex:
            guard let pattern = expected.stringValue else {
                return "the regex scorer needs \"expected\" to be a pattern string"
            }
            do { _ = try BoundedRegex(validating: pattern) } catch { return error.message }
            return nil
        case .numeric:
            return expected.numberValue == nil ? "the numeric scorer needs \"expected\" to be a number" : nil
        case .oneOf:
            guard let list = expected.arrayValue, !list.isEmpty else {
                return "the one-of scorer needs \"expected\" to be a non-empty array of answers"
            }
            return nil
        case .list(let steps):
            return steps.lazy.compactMap { $0.problem(withExpected: expected) }.first
        case .similarity:
            return expected.stringValue == nil ? "the similarity scorer needs \"expected\" to be a string" : nil
        case .toolCall, .trajectory:
            return Self.agentProblem(name, expected: expected)
        case .exact, .json, .judge, .command, .jsonSchema:
            return nil
        }
    }

    /// The name of the first scorer here that compares the output with `expected`; nil when none
    /// does (a judge, a scoring program and a schema judge an answer without one).
    var needsExpected: String? {
        switch self {
        case .list(let steps): steps.lazy.compactMap(\.needsExpected).first
        case .judge, .command, .jsonSchema: nil
        case .exact, .contains, .regex, .json, .numeric, .oneOf, .similarity, .toolCall, .trajectory: name
        }
    }
}
