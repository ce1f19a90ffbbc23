import EvalGuardConfig
import EvalGuardSupport

/// A JSON Schema (draft 2020-12: core, applicator, unevaluated and validation vocabularies),
/// compiled once and used for every case of a suite. `format` and the content keywords are
/// annotations only (the format-assertion vocabulary is optional), `$schema` is not read (every
/// schema is taken as 2020-12), and references are followed only within the schema document:
/// evalguard never fetches a schema.
package final class JSONSchema {
    let root: SchemaNode
    private let registry: [String: SchemaNode]
    private let dynamicAnchors: Set<String>

    /// The base URI of a schema without `$id`: relative `$id`s and `$ref`s resolve against it.
    static let defaultBase = "https://evalguard.invalid/schema.json"

    /// Compiles `value`; `loadRemote` supplies other documents by URI (the conformance test
    /// serves the test suite's `remotes/`).
    init(
        _ value: JSONValue, base: String = defaultBase,
        loadRemote: @escaping (String) -> JSONValue? = { _ in nil }
    ) throws(SchemaDefinitionError) {
        let compiler = SchemaCompiler(loadRemote: loadRemote)
        root = try compiler.compileRoot(value, base: base)
        registry = compiler.registry
        dynamicAnchors = compiler.dynamicAnchors
    }

    /// Compiles the schema at `node` (inline in the configuration, or a schema file parsed as a
    /// `ConfigNode`); an unusable schema is a configuration error naming its file and line.
    package convenience init(node: ConfigNode) throws {
        do {
            try self.init(node.value)
        } catch {
            throw Self.locate(error, in: node).error("invalid JSON Schema: " + error.message)
        }
    }

    /// The first way `instance` fails the schema, or nil when it validates.
    package func validate(_ instance: JSONValue) -> SchemaViolation? {
        var evaluator = SchemaEvaluator(registry: registry, dynamicAnchors: dynamicAnchors)
        return evaluator.evaluate(root, instance, at: []).violation
    }

    /// The configuration node at the error's schema location (array positions as `[i]`, which
    /// the line finder steps over), so the message names the line of the offending keyword.
    private static func locate(_ error: SchemaDefinitionError, in node: ConfigNode) -> ConfigNode {
        var current = node
        for token in error.path {
            switch current.value {
            case .object(let o): current = current.child(token, o[token] ?? .null)
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { return current }
                current = current.child("[\(i)]", a[i])
            default: return current
            }
        }
        return current
    }
}
