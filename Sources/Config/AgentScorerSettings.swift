import EvalGuardSupport

extension Scorer {
    /// The tool-call scorer's options, and the tools' `parameters` schemas, which the suite's
    /// loader reads from the suite model's `tools` (every call's arguments are checked against
    /// its tool's schema).
    package struct ToolCallSettings: Sendable, Equatable {
        /// `"arguments": "subset"`: an expected call's keys must match, others are allowed.
        package var subsetArguments = false
        /// `"order": "exact"`: the calls must come in the expected order.
        package var orderMatters = false
        /// `"strings": "case-insensitive"`: string arguments compare case-folded.
        package var caseInsensitive = false
        /// Tool name → its `parameters` schema (`true` when the tool declares none); nil when
        /// the model declares no tools, and then no call is checked against a schema.
        package var tools: [String: JSONValue]?

        package init() {}

        init(node: ConfigNode) throws {
            let members = try node.object(allowed: ["type", "arguments", "order", "strings"])
            subsetArguments = try Self.choice(members["arguments"], ["exact", "subset"], default: "exact") == "subset"
            orderMatters = try Self.choice(members["order"], ["any", "exact"], default: "any") == "exact"
            caseInsensitive =
                try Self.choice(members["strings"], ["exact", "case-insensitive"], default: "exact")
                == "case-insensitive"
        }

        static func choice(_ node: ConfigNode?, _ options: [String], default fallback: String) throws -> String {
            guard let node else { return fallback }
            let value = try node.string()
            guard options.contains(value) else {
                let hint =
                    Suggestion.closest(to: value, among: options).map { "Did you mean '\($0)'?" }
                    ?? "Write one of " + options.map { "\"\($0)\"" }.joined(separator: ", ") + "."
                throw node.error("'\(value)' is not one of " + options.joined(separator: ", "), hint: hint)
            }
            return value
        }
    }

    /// The trajectory scorer's options: how the expected steps must appear among the steps the
    /// agent took, and at most how many it may take.
    package struct TrajectorySettings: Sendable, Equatable {
        package enum Match: String, Sendable {
            /// Every expected step appears, in any order, others allowed.
            case contains
            /// The expected steps appear in their order, others allowed between them.
            case inOrder = "in_order"
            /// The steps are exactly the expected ones, in order.
            case exact
        }
        package var match = Match.inOrder
        package var maxSteps: Int?

        package init() {}

        init(node: ConfigNode) throws {
            let members = try node.object(allowed: ["type", "match", "max_steps"])
            // `choice` returns one of the listed names, each a case of Match.
            match = Match(
                rawValue: try ToolCallSettings.choice(
                    members["match"], ["contains", "in_order", "exact"], default: "in_order"))!
            maxSteps = try members["max_steps"]?.positiveInt()
        }
    }

    /// The tool-call settings of this scorer (itself, or a step of its list), if any.
    package var toolCall: ToolCallSettings? {
        switch self {
        case .toolCall(let settings): settings
        case .list(let steps): steps.lazy.compactMap(\.toolCall).first
        default: nil
        }
    }

    /// What is wrong with a case's `expected` for the tool-call and trajectory scorers.
    static func agentProblem(_ scorer: String, expected: JSONValue) -> String? {
        let key = scorer == "tool-call" ? "tool_calls" : "steps"
        let example =
            scorer == "tool-call"
            ? "{\"tool_calls\": [{\"name\": \"lookup_order\", \"arguments\": {\"order_id\": \"A1\"}}]}"
            : "{\"steps\": [\"lookup_order\", {\"name\": \"refund\", \"arguments\": {\"amount\": 10}}]}"
        guard let list = expected[key]?.arrayValue else {
            return "the \(scorer) scorer needs \"expected\" to be \(example)"
        }
        for (i, item) in list.enumerated() {
            if scorer == "trajectory", let name = item.stringValue {
                if name.isEmpty { return "expected.\(key)[\(i)] is an empty tool name" }
                continue
            }
            guard let call = item.objectValue, let name = call["name"]?.stringValue, !name.isEmpty else {
                return "expected.\(key)[\(i)] must be " + (scorer == "trajectory" ? "a tool name or " : "")
                    + "an object with \"name\" (and optionally \"arguments\")"
            }
            if let extra = call.keys.sorted().first(where: { $0 != "name" && $0 != "arguments" }) {
                return "expected.\(key)[\(i)] has '\(extra)'; a call is {\"name\", \"arguments\"}"
            }
            if let path = Self.badSchemaPlaceholder(call["arguments"] ?? .null, at: "expected.\(key)[\(i)].arguments") {
                return "\(path): a {\"$json_schema\": ...} argument holds a JSON Schema (an object or a boolean)"
            }
        }
        return nil
    }

    /// The path of the first `{"$json_schema": x}` in `value` whose `x` cannot be a schema.
    private static func badSchemaPlaceholder(_ value: JSONValue, at path: String) -> String? {
        switch value {
        case .object(let o):
            if o.count == 1, let schema = o["$json_schema"] {
                return schema.objectValue != nil || schema.boolValue != nil ? nil : path
            }
            return o.sorted { $0.key < $1.key }.lazy.compactMap {
                badSchemaPlaceholder($0.value, at: path + "." + $0.key)
            }.first
        case .array(let a):
            return a.indices.lazy.compactMap { badSchemaPlaceholder(a[$0], at: path + "[\($0)]") }.first
        default:
            return nil
        }
    }
}
