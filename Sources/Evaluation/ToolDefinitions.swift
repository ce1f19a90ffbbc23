import EvalGuardConfig
import EvalGuardScoring
import EvalGuardSupport

extension Evaluation {
    /// The suite's scorer with its model's `tools` read into the tool-call scorer (inline, or
    /// `{"file": ...}` from the repository root), each tool's `parameters` compiled, so that a
    /// missing file or a bad schema stops the run before the model starts, naming its file and
    /// line. Only a tool-call scorer reads them; other suites leave `tools` to the provider.
    static func loadingTools(_ scorer: Scorer, model: ModelConfig, read: (String) throws -> [UInt8]?) throws -> Scorer {
        guard scorer.toolCall != nil, let written = model.node.value["tools"] else { return scorer }
        var node = model.node.child("tools", written)
        if case .object(let o) = written {
            let members = try node.object(allowed: ["file"])
            guard let file = members["file"] else {
                throw node.error("\"tools\" is a list of tools or {\"file\": \"path/from/repo/root.json\"}")
            }
            let path = try file.string()
            guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains(".."), o.count == 1 else {
                throw file.error(
                    "a tools file is a path inside the repository, from its root (for example \"agent/tools.json\")")
            }
            guard let bytes = try read(path) else {
                throw file.error(
                    "the tools file \(path) does not exist",
                    hint: "Paths in \"tools\": {\"file\": ...} are relative to the repository root.")
            }
            node = try ConfigNode.parse(
                ConfigSource(displayPath: path, text: TextBytes.decode(bytes, displayPath: path)))
        }
        var tools: [String: JSONValue] = [:]
        for (name, parameters) in try OpenAIConfig.toolSchemas(node, api: model.openAI?.api ?? .openAI) {
            _ = try JSONSchema(node: parameters)
            tools[name] = parameters.value
        }
        return scorer.withTools(tools)
    }
}

extension Scorer {
    /// This scorer with `tools` in its tool-call settings (and in those of its list's steps).
    func withTools(_ tools: [String: JSONValue]) -> Scorer {
        switch self {
        case .toolCall(var settings):
            settings.tools = tools
            return .toolCall(settings)
        case .list(let steps): return .list(steps.map { $0.withTools(tools) })
        default: return self
        }
    }
}
