import EvalGuardSupport

/// A `$ref` loop that applies to the same value all the way round (through `$ref` and the
/// in-place applicators `allOf`, `anyOf`, `oneOf`, `not`, `if`, `then`, `else`,
/// `dependentSchemas`) would recurse without end on whatever value enters it: found once, when the
/// schema is compiled, instead of on every case. A loop that passes through a keyword that
/// descends into the value (`items`, `properties`, …) is recursion over the value's depth, which
/// ends with the value, and is legal. `$dynamicRef` is left out: where it lands depends on the
/// dynamic scope, so its static target may not be where evaluation goes.
extension SchemaCompiler {
    /// The schemas `node` applies to the same value, each with whether it is reached by `$ref`.
    private static func inPlace(_ node: SchemaNode) -> [(SchemaNode, viaRef: Bool)] {
        var out: [(SchemaNode, viaRef: Bool)] = node.refTarget.map { [($0, true)] } ?? []
        for list in [node.allOf, node.anyOf, node.oneOf] { out += (list ?? []).map { ($0, false) } }
        for one in [node.not, node.ifSchema, node.thenSchema, node.elseSchema] {
            if let one { out.append((one, false)) }
        }
        out += node.dependentSchemas.map { ($0.1, false) }
        return out
    }

    /// Throws at the first `$ref` of a loop of in-place applications, naming the loop.
    func refuseLoops(from root: SchemaNode) throws(SchemaDefinitionError) {
        // Every compiled schema, the root's first: a loop in unused `$defs` is a mistake too.
        var starts = [root]
        starts += registry.sorted { $0.key < $1.key }.map(\.value)
        var done = Set<ObjectIdentifier>()
        for start in starts where !done.contains(ObjectIdentifier(start)) {
            // Depth-first, iteratively: the path from `start`, and where each node is on it.
            var stack: [(node: SchemaNode, next: Int, edges: [(SchemaNode, viaRef: Bool)])] = [
                (start, 0, Self.inPlace(start))
            ]
            var onPath: [ObjectIdentifier: Int] = [ObjectIdentifier(start): 0]
            while let top = stack.last {
                guard top.next < top.edges.count else {
                    onPath[ObjectIdentifier(top.node)] = nil
                    done.insert(ObjectIdentifier(top.node))
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let (child, _) = top.edges[top.next]
                let id = ObjectIdentifier(child)
                if let at = onPath[id] {
                    throw Self.loop(
                        Array(stack[at...].map { ($0.node, $0.edges[$0.next - 1].viaRef) }), closingAt: child)
                }
                guard !done.contains(id) else { continue }
                onPath[id] = stack.count
                stack.append((child, 0, Self.inPlace(child)))
            }
        }
    }

    /// The error for a loop: each node with whether its step to the next is a `$ref`.
    private static func loop(_ steps: [(SchemaNode, viaRef: Bool)], closingAt first: SchemaNode)
        -> SchemaDefinitionError
    {
        let chain = (steps.map(\.0) + [first]).map { "#" + jsonPointer($0.path) }.joined(separator: " → ")
        // A loop of in-place applications always holds a `$ref`: subschemas alone form a tree.
        let culprit = steps.first(where: \.viaRef)?.0 ?? steps[0].0
        return SchemaDefinitionError(
            path: culprit.path + ["$ref"],
            message:
                "$ref \(JSONValue.string(culprit.ref ?? "").canonicalText) loops back to itself without descending into the value (\(chain)), so validating any value would never end"
        )
    }
}
