import EvalGuardSupport
import FoundationEssentials

/// Which values of a merged configuration a variant wrote, and where it wrote them, so that an
/// error in the merged configuration points at the line that caused it: the variant's own when
/// the value is the variant's, the committed configuration's otherwise.
package struct ConfigOverlay: Sendable {
    /// The variant's name, for messages.
    package var name: String
    /// Where the variant is written in the file (`["variants", name]`); nil for `--set`.
    package var prefix: [String]?
    /// The `--set` assignments an ad-hoc variant comes from, which its messages name.
    package var assignments: [String] = []
    /// The variant's own object.
    package var value: JSONValue

    /// Whether the value at `path` of the merged configuration is (inside) one the variant wrote.
    func wrote(_ path: [String]) -> Bool {
        var node = value
        for key in path {
            guard case .object(let members) = node else { return true }
            guard let next = members[key] else { return false }
            node = next
        }
        return true
    }

    func error(_ message: String, at path: [String], hint: String?, source: ConfigSource) -> EvalGuardError {
        let shown = ConfigNode.pathText(path)
        guard wrote(path) else {
            // The committed value is at fault, but only together with this variant.
            return EvalGuardError(
                (shown.isEmpty ? "" : shown + ": ") + message + " (with variant '\(name)')",
                file: source.displayPath, line: source.line(of: path), hint: hint)
        }
        guard let prefix else {
            let given = assignments.map { "--set " + $0 }.joined(separator: " ")
            return EvalGuardError(
                "\(given): \(shown.isEmpty ? "" : shown + ": ")\(message)", hint: hint, category: .usage)
        }
        return EvalGuardError(
            ConfigNode.pathText(prefix + path) + ": " + message, file: source.displayPath,
            line: source.line(of: prefix + path), hint: hint)
    }
}

/// `variants`: named partial configurations, each merged over the committed one for
/// `evalguard compare`. A variant changes models (their settings and prompt files), the default
/// `model`, and suites' `model` and `scorer`: objects merge key by key, any other value replaces
/// the committed one, `null` removes a key, and a model given another `provider` is replaced
/// whole (the old provider's keys would not fit the new one).
package enum Variants {
    package static let key = "variants"
    static let allowedKeys = ["model", "models", "suites"]
    static let suiteKeys = ["model", "scorer"]

    /// `base` (the whole configuration, `variants` included) with `overlay` merged over it:
    /// validated as a configuration, its errors pointing at the variant's lines.
    static func merge(base root: ConfigNode, overlay: ConfigNode, into configOverlay: ConfigOverlay) throws
        -> EvalConfig
    {
        guard case .object(var members) = root.value else { throw root.error("expected an object") }
        members[key] = nil
        try checkShape(overlay, base: members)
        var source = root.source
        source.overlay = configOverlay
        let merged = Self.merged(.object(members), overlay.value)
        var config = try EvalConfig.parse(root: ConfigNode(value: merged, source: source))
        config.variant = configOverlay
        return config
    }

    /// What a variant may name: models and suites the configuration has, with the keys a
    /// variant may change.
    static func checkShape(_ node: ConfigNode, base: [String: JSONValue]) throws {
        let members = try node.object(allowed: allowedKeys)
        if let models = members["models"] {
            let known = base["models"]?.objectValue ?? [:]
            for (name, model) in try models.dictionary() {
                guard known[name] != nil else {
                    throw model.error(
                        "no model named '\(name)' in \"models\"",
                        hint: known.isEmpty
                            ? "The configuration has no \"models\": a variant changes models the configuration names."
                            : "Models: \(known.keys.sorted().joined(separator: ", ")).")
                }
                guard case .object = model.value else {
                    throw model.error("expected an object of the settings to change, found \(model.value.kindName)")
                }
            }
        }
        if let suites = members["suites"] {
            let known = base["suites"]?.objectValue ?? [:]
            for (name, suite) in try suites.dictionary() {
                guard known[name] != nil else {
                    throw suite.error(
                        "no suite named '\(name)' in \"suites\"",
                        hint: "Suites: \(known.keys.sorted().joined(separator: ", ")).")
                }
                _ = try suite.object(allowed: suiteKeys)
            }
        }
        if let model = members["model"] {
            guard base["model"] != nil else {
                throw model.error(
                    "the configuration has no default \"model\" to change",
                    hint: "Change a named model under \"models\" instead.")
            }
            guard case .object = model.value else {
                throw model.error("expected an object of the settings to change, found \(model.value.kindName)")
            }
        }
    }

    /// Objects merge key by key; anything else replaces; `null` removes the key.
    package static func merged(_ base: JSONValue, _ overlay: JSONValue) -> JSONValue {
        guard case .object(var result) = base, case .object(let changes) = overlay else { return overlay }
        if let provider = changes["provider"], provider != (result["provider"] ?? .string("command")) { return overlay }
        for (key, value) in changes {
            result[key] = value == .null ? nil : result[key].map { merged($0, value) } ?? value
        }
        return .object(result)
    }

    /// `--set models.drafter.temperature=0.7`: a dotted key path, `=`, and a JSON5 value (a
    /// number, true, false, null, a quoted string, an array or an object); a value that is not
    /// JSON is taken as a string, so `--set models.drafter.model=gpt-4o` needs no quotes.
    package static func assignment(_ text: String) throws -> (path: [String], value: JSONValue) {
        guard let equals = text.firstIndex(of: "=") else {
            throw EvalGuardError(
                "--set \(text): expected <key.path>=<value>", hint: "For example: --set models.drafter.temperature=0.7",
                category: .usage)
        }
        let path = text[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.contains(where: \.isEmpty) else {
            throw EvalGuardError(
                "--set \(text): the key path has an empty key",
                hint: "Keys are separated by single dots: models.drafter.temperature",
                category: .usage)
        }
        let raw = String(text[text.index(after: equals)...])
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        let value = (try? decoder.decode(JSONValue.self, from: Data(raw.utf8))) ?? .string(raw)
        return (path, value)
    }

    /// The overlay several `--set` assignments make together.
    package static func overlay(assignments: [(path: [String], value: JSONValue)]) -> JSONValue {
        assignments.reduce(JSONValue.object([:])) { whole, one in
            let nested = one.path.reversed().reduce(one.value) { inner, key in .object([key: inner]) }
            return merged(whole, nested)
        }
    }
}

extension EvalConfig {
    /// The configuration with variant `name` merged over it.
    package func variant(_ name: String) throws -> EvalConfig {
        let root = try ConfigNode.parse(ConfigSource(displayPath: source.displayPath, text: source.text))
        guard let variants = root.value[Variants.key], let node = variants.objectValue?[name] else {
            throw EvalGuardError(
                "no variant named '\(name)' in \(source.displayPath)",
                hint: variantNames.isEmpty
                    ? "Add \"variants\": {\"\(name)\": {\"models\": {...}}} to it, or give --set <key.path>=<value>."
                    : "Variants: \(variantNames.joined(separator: ", ")).", category: .usage)
        }
        let overlay = root.child(Variants.key, variants).child(name, node)
        return try Variants.merge(
            base: root, overlay: overlay, into: ConfigOverlay(name: name, prefix: [Variants.key, name], value: node))
    }

    /// The ad-hoc variant of `--set` assignments, named after them.
    package func variant(assignments texts: [String]) throws -> EvalConfig {
        let overlay = Variants.overlay(assignments: try texts.map(Variants.assignment))
        let root = try ConfigNode.parse(ConfigSource(displayPath: source.displayPath, text: source.text))
        let described = ConfigOverlay(
            name: texts.joined(separator: ","), prefix: nil, assignments: texts, value: overlay)
        var shapeSource = root.source
        shapeSource.overlay = described
        return try Variants.merge(base: root, overlay: ConfigNode(value: overlay, source: shapeSource), into: described)
    }
}
