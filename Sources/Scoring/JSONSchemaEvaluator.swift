import EvalGuardSupport
import FoundationEssentials

/// Why an instance does not validate: where in the instance (JSON Pointer), which keyword of
/// which schema location failed, and a sentence for the reader.
package struct SchemaViolation: Sendable, Equatable {
    /// JSON Pointer into the instance ("" for the whole output).
    package var instancePath: String
    package var keyword: String
    /// JSON Pointer into the schema, to the keyword that failed.
    package var schemaPath: String
    package var message: String
    /// A `pattern` that ran out of time: whether the instance validates is not known.
    package var undecided = false

    /// `/address/zip: pattern: "12a" does not match "^[0-9]{5}$"`; the root is shown as `(root)`.
    /// Control characters (from the output's own keys) are written as `\u{1B}`: the text is
    /// printed on terminals.
    package var description: String {
        let text = "\(instancePath.isEmpty ? "(root)" : instancePath): \(keyword): \(message)"
        return text.unicodeScalars.map {
            $0.properties.generalCategory == .control
                ? "\\u{\(String($0.value, radix: 16, uppercase: true))}" : String($0)
        }.joined()
    }
}

/// Validates instances against compiled schemas (draft 2020-12 core, applicator, unevaluated and
/// validation vocabularies). It stops at the first failing keyword of a schema (only the first
/// error is kept), but evaluates every branch of `anyOf`, `oneOf` and the like fully: their
/// annotations (which properties and items were evaluated) decide `unevaluated*`.
struct SchemaEvaluator {
    let registry: [String: SchemaNode]
    let dynamicAnchors: Set<String>
    /// The dynamic scope: base URIs of the schema resources being evaluated, outermost first.
    private var scope: [String] = []
    private var depth = 0
    /// Deeper than this the schema refers to itself without consuming the instance (or the
    /// instance is absurdly nested): an error, never a stack overflow.
    static let maxDepth = 512

    init(registry: [String: SchemaNode], dynamicAnchors: Set<String>) {
        self.registry = registry
        self.dynamicAnchors = dynamicAnchors
    }

    /// The outcome of one schema on one instance: the first violation, or the annotations a
    /// valid evaluation leaves (evaluated property names and array indices).
    struct Outcome {
        var violation: SchemaViolation?
        var properties: Set<String> = []
        var items: Set<Int> = []
        var valid: Bool { violation == nil }

        mutating func merge(_ other: Outcome) {
            properties.formUnion(other.properties)
            items.formUnion(other.items)
        }
    }

    mutating func evaluate(_ node: SchemaNode, _ instance: JSONValue, at path: [String]) -> Outcome {
        func fail(_ keyword: String, _ message: String) -> Outcome {
            Outcome(
                violation: SchemaViolation(
                    instancePath: jsonPointer(path), keyword: keyword,
                    schemaPath: jsonPointer(node.path + [keyword]), message: message))
        }
        if let c = node.constant {
            return c ? Outcome() : fail("false", "no value is allowed here (the schema is false)")
        }
        guard depth < Self.maxDepth else {
            return fail("$ref", "the schema nests deeper than \(Self.maxDepth) levels here (a reference loop?)")
        }
        depth += 1
        let entered = scope.last != node.base
        if entered { scope.append(node.base) }
        defer {
            depth -= 1
            if entered { scope.removeLast() }
        }
        var out = Outcome()

        if let target = node.refTarget {
            let r = evaluate(target, instance, at: path)
            guard r.valid else { return r }
            out.merge(r)
        }
        if var target = node.dynamicRefTarget {
            if let anchor = node.dynamicRefAnchor,
                let outermost = scope.first(where: { dynamicAnchors.contains($0 + "#" + anchor) }),
                let found = registry[outermost + "#" + anchor]
            {
                target = found
            }
            let r = evaluate(target, instance, at: path)
            guard r.valid else { return r }
            out.merge(r)
        }
        if let types = node.types, !types.contains(where: { Self.matches(instance, type: $0) }) {
            return fail("type", "expected \(types.joined(separator: " or ")), found \(Self.describe(instance))")
        }
        if let values = node.enumValues, !values.contains(instance) {
            return fail("enum", "\(Self.clip(instance)) is not one of the \(values.count) allowed values")
        }
        if let c = node.constValue, c != instance {
            return fail("const", "expected \(Self.clip(c)), found \(Self.clip(instance))")
        }
        switch instance {
        case .number(let n):
            if let v = checkNumber(n, node) { return fail(v.0, v.1) }
        case .string(let s):
            let length = s.unicodeScalars.count
            if let m = node.minLength, length < m { return fail("minLength", "\(length) characters, fewer than \(m)") }
            if let m = node.maxLength, length > m { return fail("maxLength", "\(length) characters, more than \(m)") }
            if let p = node.pattern {
                let pattern = JSONValue.string(p.source).canonicalText
                switch p.regex.matches(s) {
                case true?: break
                case false?: return fail("pattern", "\(Self.clip(instance)) does not match \(pattern)")
                case nil:
                    var undecided = fail(
                        "pattern",
                        "could not decide whether \(Self.clip(instance)) matches \(pattern): "
                            + "the regular expression ran out of time")
                    undecided.violation?.undecided = true
                    return undecided
                }
            }
        case .array(let a):
            if let v = checkArray(a, node, path, &out) { return v }
        case .object(let o):
            if let v = checkObject(o, node, path, &out) { return v }
        default:
            break
        }
        if let v = checkCombinators(node, instance, path, &out) { return v }
        if let schema = node.unevaluatedItems, case .array(let a) = instance {
            for i in a.indices where !out.items.contains(i) {
                let r = evaluate(schema, a[i], at: path + ["\(i)"])
                guard r.valid else { return r }
            }
            out.items.formUnion(a.indices)
        }
        if let schema = node.unevaluatedProperties, case .object(let o) = instance {
            for (key, value) in o.sorted(by: { $0.key < $1.key }) where !out.properties.contains(key) {
                let r = evaluate(schema, value, at: path + [key])
                guard r.valid else { return r }
                out.properties.insert(key)
            }
        }
        return out
    }

    private func checkNumber(_ n: Double, _ node: SchemaNode) -> (String, String)? {
        let text = { (x: Double) in Self.clip(.number(x)) }
        if let m = node.minimum, n < m { return ("minimum", "\(text(n)) is less than \(text(m))") }
        if let m = node.maximum, n > m { return ("maximum", "\(text(n)) is greater than \(text(m))") }
        if let m = node.exclusiveMinimum, n <= m {
            return ("exclusiveMinimum", "\(text(n)) is not greater than \(text(m))")
        }
        if let m = node.exclusiveMaximum, n >= m {
            return ("exclusiveMaximum", "\(text(n)) is not less than \(text(m))")
        }
        if let m = node.multipleOf {
            // Decimal fractions are inexact in binary: 0.0075 / 0.0001 is 74.99999999999999.
            let q = n / m
            let whole = q.isFinite && abs(q - q.rounded()) <= 1e-9 * max(1, abs(q))
            if !whole { return ("multipleOf", "\(text(n)) is not a multiple of \(text(m))") }
        }
        return nil
    }

    private mutating func checkArray(_ a: [JSONValue], _ node: SchemaNode, _ path: [String], _ out: inout Outcome)
        -> Outcome?
    {
        let at = { (keyword: String, message: String) in
            Outcome(
                violation: SchemaViolation(
                    instancePath: jsonPointer(path), keyword: keyword,
                    schemaPath: jsonPointer(node.path + [keyword]), message: message))
        }
        if let m = node.minItems, a.count < m { return at("minItems", "\(a.count) items, fewer than \(m)") }
        if let m = node.maxItems, a.count > m { return at("maxItems", "\(a.count) items, more than \(m)") }
        if node.uniqueItems {
            for i in a.indices {
                if let j = a[(i + 1)...].firstIndex(of: a[i]) {
                    return at("uniqueItems", "items \(i) and \(j) are equal")
                }
            }
        }
        let prefix = node.prefixItems ?? []
        for (i, schema) in prefix.enumerated() where i < a.count {
            let r = evaluate(schema, a[i], at: path + ["\(i)"])
            guard r.valid else { return r }
            out.items.insert(i)
        }
        if let schema = node.items, a.count > prefix.count {
            for i in prefix.count..<a.count {
                let r = evaluate(schema, a[i], at: path + ["\(i)"])
                guard r.valid else { return r }
                out.items.insert(i)
            }
        }
        if let schema = node.contains {
            var matched: [Int] = []
            for i in a.indices where evaluate(schema, a[i], at: path + ["\(i)"]).valid { matched.append(i) }
            let least = node.minContains ?? 1
            if matched.count < least {
                return at(
                    node.minContains == nil ? "contains" : "minContains",
                    "\(matched.count) item(s) match the contains schema, fewer than \(least)")
            }
            if let most = node.maxContains, matched.count > most {
                return at("maxContains", "\(matched.count) item(s) match the contains schema, more than \(most)")
            }
            out.items.formUnion(matched)
        }
        return nil
    }

    private mutating func checkObject(
        _ o: [String: JSONValue], _ node: SchemaNode, _ path: [String], _ out: inout Outcome
    ) -> Outcome? {
        let at = { (keyword: String, message: String) in
            Outcome(
                violation: SchemaViolation(
                    instancePath: jsonPointer(path), keyword: keyword,
                    schemaPath: jsonPointer(node.path + [keyword]), message: message))
        }
        if let m = node.minProperties, o.count < m {
            return at("minProperties", "\(o.count) properties, fewer than \(m)")
        }
        if let m = node.maxProperties, o.count > m {
            return at("maxProperties", "\(o.count) properties, more than \(m)")
        }
        for name in node.required where o[name] == nil {
            return at("required", "missing the required property \(JSONValue.string(name).canonicalText)")
        }
        for (name, needs) in node.dependentRequired where o[name] != nil {
            if let missing = needs.first(where: { o[$0] == nil }) {
                return at(
                    "dependentRequired",
                    "\(JSONValue.string(name).canonicalText) is present, so \(JSONValue.string(missing).canonicalText) is required"
                )
            }
        }
        let members = o.sorted { $0.key < $1.key }
        if let schema = node.propertyNames {
            for (key, _) in members {
                let r = evaluate(schema, .string(key), at: path + [key])
                guard r.valid else { return r }
            }
        }
        var declared = Set<String>()
        for (name, schema) in node.properties {
            declared.insert(name)
            guard let value = o[name] else { continue }
            let r = evaluate(schema, value, at: path + [name])
            guard r.valid else { return r }
            out.properties.insert(name)
        }
        for (key, value) in members {
            var patterned = false
            for p in node.patternProperties where p.regex.matches(key) == true {
                patterned = true
                let r = evaluate(p.schema, value, at: path + [key])
                guard r.valid else { return r }
                out.properties.insert(key)
            }
            if let schema = node.additionalProperties, !patterned, !declared.contains(key) {
                let r = evaluate(schema, value, at: path + [key])
                guard r.valid else {
                    return schema.constant == false
                        ? at(
                            "additionalProperties", "the property \(JSONValue.string(key).canonicalText) is not allowed"
                        ) : r
                }
                out.properties.insert(key)
            }
        }
        for (name, schema) in node.dependentSchemas where o[name] != nil {
            let r = evaluate(schema, .object(o), at: path)
            guard r.valid else { return r }
            out.merge(r)
        }
        return nil
    }

    private mutating func checkCombinators(
        _ node: SchemaNode, _ instance: JSONValue, _ path: [String], _ out: inout Outcome
    ) -> Outcome? {
        let at = { (keyword: String, message: String) in
            Outcome(
                violation: SchemaViolation(
                    instancePath: jsonPointer(path), keyword: keyword,
                    schemaPath: jsonPointer(node.path + [keyword]), message: message))
        }
        for schema in node.allOf ?? [] {
            let r = evaluate(schema, instance, at: path)
            guard r.valid else { return r }
            out.merge(r)
        }
        if let branches = node.anyOf {
            var first: SchemaViolation?
            var any = false
            for schema in branches {
                let r = evaluate(schema, instance, at: path)
                if r.valid {
                    any = true
                    out.merge(r)
                } else if first == nil {
                    first = r.violation
                }
            }
            if !any {
                return at(
                    "anyOf",
                    "matches none of the \(branches.count) schemas"
                        + (first.map { " (the first: \($0.description))" } ?? ""))
            }
        }
        if let branches = node.oneOf {
            var matched: [Int] = []
            var kept = Outcome()
            for (i, schema) in branches.enumerated() {
                let r = evaluate(schema, instance, at: path)
                if r.valid {
                    matched.append(i)
                    kept = r
                }
            }
            guard matched.count == 1 else {
                return at(
                    "oneOf",
                    matched.isEmpty
                        ? "matches none of the \(branches.count) schemas"
                        : "matches \(matched.count) of the schemas (\(matched.map(String.init).joined(separator: ", "))), not exactly one"
                )
            }
            out.merge(kept)
        }
        if let schema = node.not, evaluate(schema, instance, at: path).valid {
            return at("not", "matches the schema it must not match")
        }
        if let condition = node.ifSchema {
            let c = evaluate(condition, instance, at: path)
            if c.valid {
                out.merge(c)
                if let then = node.thenSchema {
                    let r = evaluate(then, instance, at: path)
                    guard r.valid else { return r }
                    out.merge(r)
                }
            } else if let otherwise = node.elseSchema {
                let r = evaluate(otherwise, instance, at: path)
                guard r.valid else { return r }
                out.merge(r)
            }
        }
        return nil
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("object", .object), ("array", .array), ("number", .number),
            ("string", .string):
            true
        case ("integer", .number(let n)): n.isFinite && n == n.rounded()
        default: false
        }
    }

    static func describe(_ value: JSONValue) -> String {
        if case .number(let n) = value, n == n.rounded() { return "an integer" }
        return value.kindName
    }

    /// The value as JSON, cut to 60 characters: messages quote model output, which may be long.
    static func clip(_ value: JSONValue) -> String {
        let text = value.canonicalText
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}
