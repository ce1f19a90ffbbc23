import EvalGuardSupport

/// A case's output read as an agent's answer: `{"content", "tool_calls", "steps"}`, the shape
/// the providers give an answer with tool calls (and an agent loop, with `steps`). Any other
/// output (text, or a JSON answer without `tool_calls`) made no calls. The output is the
/// model's, so nothing in it is trusted: an entry that is not a call object is still counted
/// (with an empty name), never dropped.
package struct AgentOutput: Sendable, Equatable {
    package struct Call: Sendable, Equatable {
        package var name: String
        /// The arguments parsed from the API's JSON string, or that string itself (a JSON
        /// string value) when it was not JSON.
        package var arguments: JSONValue
        /// A step's result, the JSON the tool answered; nil for a call without one.
        package var result: JSONValue?
    }

    /// The final text, or nil (`null`, or an answer that was only calls).
    package var content: String?
    package var calls: [Call]
    package var steps: [Call]

    /// Nil when `output` is not an object with `tool_calls` or `steps`.
    package init?(_ output: JSONValue) {
        guard case .object(let o) = output, o["tool_calls"]?.arrayValue != nil || o["steps"]?.arrayValue != nil else {
            return nil
        }
        content = o["content"]?.stringValue
        calls = (o["tool_calls"]?.arrayValue ?? []).map(Self.call)
        steps = (o["steps"]?.arrayValue ?? []).map(Self.call)
    }

    private static func call(_ value: JSONValue) -> Call {
        Call(
            name: value["name"]?.stringValue ?? "", arguments: value["arguments"] ?? .object([:]),
            result: value["result"])
    }

    /// How many tool calls and steps `output` holds: the entries of its `tool_calls` and
    /// `steps` lists (0 and 0 for any other output). Counted from the whole output, before it
    /// is cut for storage, and kept per case.
    package static func counts(_ output: JSONValue) -> (toolCalls: Int, steps: Int) {
        guard case .object(let o) = output else { return (0, 0) }
        return (o["tool_calls"]?.arrayValue?.count ?? 0, o["steps"]?.arrayValue?.count ?? 0)
    }

    /// `lookup_order({"order_id":"A1"})`, arguments as compact JSON cut at `limit` characters.
    package static func describe(_ call: Call, limit: Int = 200) -> String {
        (call.name.isEmpty ? "(no name)" : call.name) + "(" + clipped(call.arguments.canonicalText, limit) + ")"
    }

    static func clipped(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
