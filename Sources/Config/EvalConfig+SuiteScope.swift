import EvalGuardGit
import EvalGuardSupport

/// The configuration as one suite sees it, for searches scoped to a suite (`blame --suite`):
/// commits that change only another suite's inputs or settings are the same commit to it.
extension EvalConfig {
    /// This configuration with `suite` alone, so that `inputs` selects only the files its model,
    /// cases, scorer and price tables read; nil when there is no such suite.
    package func scoped(to suite: String) -> EvalConfig? {
        guard let only = suites.first(where: { $0.name == suite }) else { return nil }
        var copy = self
        copy.suites = [only]
        return copy
    }

    /// The id of the parts of the configuration file that `suite`'s answers and verdicts can depend
    /// on: every top-level setting, the suite's own entry, the models its entry names (its model,
    /// judge, embedder), and the default model when it runs with it; nil when there is no such
    /// suite or the file does not parse. Another suite's entry or model is not in it.
    package func scopedDigest(suite: String) -> String? {
        guard let only = suites.first(where: { $0.name == suite }),
            case .object(var root)? = try? ConfigNode.parse(source).value
        else { return nil }
        root["suites"] = .object([suite: only.node.value])
        // Any model whose name the entry mentions: more than it needs, never less.
        let named = Set(Self.strings(in: only.node.value))
        if case .object(let models)? = root["models"] {
            root["models"] = .object(models.filter { named.contains($0.key) })
        }
        if only.inlineModel != nil || only.modelName != nil { root["model"] = nil }
        return GitHash.blobID(of: "evalguard suite configuration\n" + JSONValue.object(root).canonicalText)
    }

    private static func strings(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .array(let items): items.flatMap(strings(in:))
        case .object(let members): members.values.flatMap(strings(in:))
        default: []
        }
    }
}
