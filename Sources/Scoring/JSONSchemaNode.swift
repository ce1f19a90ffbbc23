import EvalGuardSupport
import FoundationEssentials

/// One compiled (sub)schema: its keywords read once into typed fields, its subschemas compiled,
/// its references resolved, so that validating a case walks objects instead of re-reading JSON.
/// A class because references make the schema a graph (`$ref: "#"` points back at the root).
final class SchemaNode {
    /// The base URI the schema's references resolve against (its own `$id`, or its resource's).
    let base: String
    /// Where the schema sits in its document, as JSON Pointer tokens: errors name it.
    let path: [String]
    /// A boolean schema: `true` accepts everything, `false` nothing.
    var constant: Bool?

    var types: [String]?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?

    var minimum: Double?, maximum: Double?, exclusiveMinimum: Double?, exclusiveMaximum: Double?, multipleOf: Double?
    var minLength: Int?, maxLength: Int?
    var pattern: (source: String, regex: BoundedRegex)?

    var prefixItems: [SchemaNode]?
    var items: SchemaNode?
    var contains: SchemaNode?
    var minContains: Int?, maxContains: Int?, minItems: Int?, maxItems: Int?
    var uniqueItems = false

    var properties: [(String, SchemaNode)] = []
    var patternProperties: [(source: String, regex: BoundedRegex, schema: SchemaNode)] = []
    var additionalProperties: SchemaNode?
    var propertyNames: SchemaNode?
    var required: [String] = []
    var dependentRequired: [(String, [String])] = []
    var dependentSchemas: [(String, SchemaNode)] = []
    var minProperties: Int?, maxProperties: Int?

    var allOf: [SchemaNode]?, anyOf: [SchemaNode]?, oneOf: [SchemaNode]?
    var not: SchemaNode?
    var ifSchema: SchemaNode?, thenSchema: SchemaNode?, elseSchema: SchemaNode?
    var unevaluatedItems: SchemaNode?, unevaluatedProperties: SchemaNode?

    /// `$ref`: the resolved target (set once every schema is compiled).
    var ref: String?
    var refTarget: SchemaNode?
    /// `$dynamicRef`: its initial target, and the anchor name to look up in the dynamic scope
    /// when that target declares a `$dynamicAnchor` of the same name.
    var dynamicRef: String?
    var dynamicRefTarget: SchemaNode?
    var dynamicRefAnchor: String?
    /// True when the schema has its own `$id`: evaluating it enters a new resource of the
    /// dynamic scope.
    var isResource = false

    init(base: String, path: [String]) {
        self.base = base
        self.path = path
    }
}

/// A schema that cannot be used: where it is (JSON Pointer tokens into the schema document)
/// and what is wrong, for the configuration error that names the file and line.
struct SchemaDefinitionError: Error, Equatable {
    var path: [String]
    var message: String
}

/// Turns a schema document into `SchemaNode`s: reads each keyword, registers every `$id`,
/// `$anchor`, `$dynamicAnchor` and JSON Pointer location by absolute URI, then resolves the
/// references. `loadRemote` supplies documents for URIs outside the schema (the conformance
/// test serves the suite's `remotes/`; the scorer has none, so such a reference is an error).
final class SchemaCompiler {
    /// Absolute URI (resource, `#`, then an anchor or a JSON Pointer) → schema.
    var registry: [String: SchemaNode] = [:]
    /// `resource#name` of every `$dynamicAnchor`.
    var dynamicAnchors: Set<String> = []
    /// Raw documents by resource URI, for pointers into places that are not subschemas.
    private var resources: [String: (value: JSONValue, path: [String])] = [:]
    private var pendingRefs: [SchemaNode] = []
    private let loadRemote: (String) -> JSONValue?

    init(loadRemote: @escaping (String) -> JSONValue? = { _ in nil }) {
        self.loadRemote = loadRemote
    }

    func compileRoot(_ value: JSONValue, base: String) throws(SchemaDefinitionError) -> SchemaNode {
        let root = try compile(value, base: base, path: [], pointer: [], newResource: true)
        try resolvePending()
        try refuseLoops(from: root)
        return root
    }

    private func compile(
        _ value: JSONValue, base parentBase: String, path: [String], pointer parentPointer: [String],
        newResource: Bool = false
    ) throws(SchemaDefinitionError) -> SchemaNode {
        func fail(_ message: String, _ key: String? = nil) -> SchemaDefinitionError {
            SchemaDefinitionError(path: key.map { path + [$0] } ?? path, message: message)
        }
        var base = parentBase
        var pointer = parentPointer
        if case .bool(let b) = value {
            let node = SchemaNode(base: base, path: path)
            node.constant = b
            registry[base + "#" + jsonPointer(pointer)] = registry[base + "#" + jsonPointer(pointer)] ?? node
            return node
        }
        guard case .object(let o) = value else {
            throw fail("a schema must be an object or a boolean, found \(value.kindName)")
        }
        var enteredResource = newResource
        if let id = o["$id"] {
            guard let s = id.stringValue else { throw fail("$id must be a string", "$id") }
            let resolved = SchemaURI.resolve(s, against: base)
            if let f = resolved.fragment, !f.isEmpty {
                throw fail("$id must not have a fragment (use $anchor for a name)", "$id")
            }
            // Also reachable by pointer from the enclosing resource.
            let outer = base + "#" + jsonPointer(pointer)
            base = resolved.withoutFragment
            pointer = []
            enteredResource = true
            let node = try compileKeywords(o, base: base, path: path, pointer: pointer, fail: fail)
            node.isResource = true
            registry[outer] = registry[outer] ?? node
            return registered(node, o, pointer: pointer, resource: (value, path))
        }
        let node = try compileKeywords(o, base: base, path: path, pointer: pointer, fail: fail)
        node.isResource = enteredResource
        return registered(node, o, pointer: pointer, resource: enteredResource ? (value, path) : nil)
    }

    private func registered(
        _ node: SchemaNode, _ o: [String: JSONValue], pointer: [String],
        resource: (JSONValue, [String])?
    ) -> SchemaNode {
        if let resource, resources[node.base] == nil { resources[node.base] = resource }
        let key = node.base + "#" + jsonPointer(pointer)
        if registry[key] == nil { registry[key] = node }
        if let a = o["$anchor"]?.stringValue { registry[node.base + "#" + a] = node }
        if let a = o["$dynamicAnchor"]?.stringValue {
            registry[node.base + "#" + a] = node
            dynamicAnchors.insert(node.base + "#" + a)
        }
        return node
    }

    private func compileKeywords(
        _ o: [String: JSONValue], base: String, path: [String], pointer: [String],
        fail: (String, String?) -> SchemaDefinitionError
    ) throws(SchemaDefinitionError) -> SchemaNode {
        let node = SchemaNode(base: base, path: path)
        func sub(_ key: String) throws(SchemaDefinitionError) -> SchemaNode? {
            guard let v = o[key] else { return nil }
            return try compile(v, base: base, path: path + [key], pointer: pointer + [key])
        }
        func list(_ key: String) throws(SchemaDefinitionError) -> [SchemaNode]? {
            guard let v = o[key] else { return nil }
            guard case .array(let a) = v, !a.isEmpty else {
                throw fail("\(key) must be a non-empty array of schemas", key)
            }
            var out: [SchemaNode] = []
            for (i, s) in a.enumerated() {
                out.append(try compile(s, base: base, path: path + [key, "\(i)"], pointer: pointer + [key, "\(i)"]))
            }
            return out
        }
        func map(_ key: String) throws(SchemaDefinitionError) -> [(String, SchemaNode)] {
            guard let v = o[key] else { return [] }
            guard case .object(let m) = v else { throw fail("\(key) must be an object of schemas", key) }
            var out: [(String, SchemaNode)] = []
            for (name, schema) in m.sorted(by: { $0.key < $1.key }) {
                out.append(
                    (name, try compile(schema, base: base, path: path + [key, name], pointer: pointer + [key, name])))
            }
            return out
        }
        func count(_ key: String) throws(SchemaDefinitionError) -> Int? {
            guard let v = o[key] else { return nil }
            guard let n = v.numberValue, n >= 0, n == n.rounded(), n < 1e15 else {
                throw fail("\(key) must be a non-negative integer", key)
            }
            return Int(n)
        }
        func number(_ key: String) throws(SchemaDefinitionError) -> Double? {
            guard let v = o[key] else { return nil }
            guard let n = v.numberValue else { throw fail("\(key) must be a number", key) }
            return n
        }
        func regex(_ key: String, _ source: String, at p: String?) throws(SchemaDefinitionError) -> BoundedRegex {
            do { return try BoundedRegex(validating: source) } catch {
                throw SchemaDefinitionError(path: path + [key] + (p.map { [$0] } ?? []), message: error.message)
            }
        }
        func strings(_ v: JSONValue, _ key: String) throws(SchemaDefinitionError) -> [String] {
            guard case .array(let a) = v, case let s = a.compactMap(\.stringValue), s.count == a.count else {
                throw fail("\(key) must be an array of strings", key)
            }
            guard Set(s).count == s.count else { throw fail("\(key) must not repeat a name", key) }
            return s
        }

        if let t = o["type"] {
            let names = t.stringValue.map { [$0] } ?? t.arrayValue?.compactMap(\.stringValue)
            let known: Set = ["null", "boolean", "object", "array", "number", "string", "integer"]
            guard let names, !names.isEmpty, names.allSatisfy(known.contains), names.count == (t.arrayValue?.count ?? 1)
            else {
                throw fail(
                    "type must be one of null, boolean, object, array, number, string, integer (or an array of them)",
                    "type")
            }
            node.types = names
        }
        if let e = o["enum"] {
            guard let a = e.arrayValue else { throw fail("enum must be an array", "enum") }
            node.enumValues = a
        }
        node.constValue = o["const"]
        node.minimum = try number("minimum")
        node.maximum = try number("maximum")
        node.exclusiveMinimum = try number("exclusiveMinimum")
        node.exclusiveMaximum = try number("exclusiveMaximum")
        if let m = try number("multipleOf") {
            guard m > 0 else { throw fail("multipleOf must be greater than 0", "multipleOf") }
            node.multipleOf = m
        }
        node.minLength = try count("minLength")
        node.maxLength = try count("maxLength")
        if let p = o["pattern"] {
            guard let s = p.stringValue else { throw fail("pattern must be a string", "pattern") }
            node.pattern = (s, try regex("pattern", s, at: nil))
        }
        node.prefixItems = try list("prefixItems")
        node.items = try sub("items")
        node.contains = try sub("contains")
        node.minContains = try count("minContains")
        node.maxContains = try count("maxContains")
        node.minItems = try count("minItems")
        node.maxItems = try count("maxItems")
        if let u = o["uniqueItems"] {
            guard let b = u.boolValue else { throw fail("uniqueItems must be a boolean", "uniqueItems") }
            node.uniqueItems = b
        }
        node.properties = try map("properties")
        for (name, schema) in try map("patternProperties") {
            node.patternProperties.append((name, try regex("patternProperties", name, at: name), schema))
        }
        node.additionalProperties = try sub("additionalProperties")
        node.propertyNames = try sub("propertyNames")
        if let r = o["required"] { node.required = try strings(r, "required") }
        if let d = o["dependentRequired"] {
            guard case .object(let m) = d else {
                throw fail("dependentRequired must be an object of string arrays", "dependentRequired")
            }
            for (name, names) in m.sorted(by: { $0.key < $1.key }) {
                node.dependentRequired.append((name, try strings(names, "dependentRequired")))
            }
        }
        node.dependentSchemas = try map("dependentSchemas")
        node.minProperties = try count("minProperties")
        node.maxProperties = try count("maxProperties")
        node.allOf = try list("allOf")
        node.anyOf = try list("anyOf")
        node.oneOf = try list("oneOf")
        node.not = try sub("not")
        node.ifSchema = try sub("if")
        node.thenSchema = try sub("then")
        node.elseSchema = try sub("else")
        node.unevaluatedItems = try sub("unevaluatedItems")
        node.unevaluatedProperties = try sub("unevaluatedProperties")
        _ = try map("$defs")
        for key in ["$ref", "$dynamicRef"] {
            guard let r = o[key] else { continue }
            guard let s = r.stringValue else { throw fail("\(key) must be a string", key) }
            if key == "$ref" { node.ref = s } else { node.dynamicRef = s }
        }
        for key in ["$anchor", "$dynamicAnchor"] {
            guard let a = o[key] else { continue }
            guard let s = a.stringValue, let f = s.first, f.isLetter || f == "_",
                s.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
            else {
                throw fail("\(key) must be a plain name (a letter or _, then letters, digits, - _ .)", key)
            }
        }
        if node.ref != nil || node.dynamicRef != nil { pendingRefs.append(node) }
        return node
    }

    /// Resolves every reference; a reference that names nothing is an error at its schema.
    private func resolvePending() throws(SchemaDefinitionError) {
        while let node = pendingRefs.popLast() {
            if let r = node.ref {
                node.refTarget = try target(r, from: node, key: "$ref")
            }
            if let r = node.dynamicRef {
                node.dynamicRefTarget = try target(r, from: node, key: "$dynamicRef")
                let uri = SchemaURI.resolve(r, against: node.base)
                if let f = uri.fragment, !f.isEmpty, pointerTokens(f) == nil,
                    dynamicAnchors.contains(uri.withoutFragment + "#" + f)
                {
                    node.dynamicRefAnchor = f
                }
            }
        }
    }

    private func target(_ reference: String, from node: SchemaNode, key: String) throws(SchemaDefinitionError)
        -> SchemaNode
    {
        let uri = SchemaURI.resolve(reference, against: node.base)
        let resource = uri.withoutFragment
        let fragment = uri.fragment ?? ""
        let tokens = pointerTokens(fragment)
        let lookup = resource + "#" + (tokens.map(jsonPointer) ?? fragment)
        if let found = registry[lookup] { return found }
        if resources[resource] == nil, let document = loadRemote(resource) {
            _ = try compile(document, base: resource, path: [], pointer: [], newResource: true)
            if let found = registry[lookup] { return found }
        }
        // A pointer into a place that is not a subschema keyword (an unknown keyword's value).
        if let tokens, let (document, path) = resources[resource] {
            var value = document
            for t in tokens {
                if case .object(let o) = value, let v = o[t] {
                    value = v
                } else if case .array(let a) = value, let i = Int(t), a.indices.contains(i) {
                    value = a[i]
                } else {
                    throw SchemaDefinitionError(
                        path: node.path + [key],
                        message: "\(key) \(JSONValue.string(reference).canonicalText) points at nothing in the schema")
                }
            }
            let compiled = try compile(value, base: resource, path: path + tokens, pointer: tokens)
            registry[lookup] = compiled
            try resolvePending()
            return compiled
        }
        throw SchemaDefinitionError(
            path: node.path + [key],
            message:
                "\(key) \(JSONValue.string(reference).canonicalText) does not resolve within the schema (only references inside the same document are followed)"
        )
    }
}
