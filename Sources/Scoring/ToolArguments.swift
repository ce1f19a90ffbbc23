import EvalGuardSupport

/// Compares a call's arguments with the expected ones and says where they first differ, as a
/// path into the arguments (`arguments.address.zip: expected "12345", found "1234"`).
struct ArgumentMatcher {
    /// Expected keys must match and others are allowed (at every level of nested objects).
    var subset: Bool
    var caseInsensitive: Bool
    /// Compiles a `$json_schema` (cached by the session): the schema, or why it is unusable.
    var schema: (JSONValue) -> Result<JSONSchema, SchemaDefinitionError>

    /// Nil when `actual` matches `expected`, else the first difference.
    func mismatch(_ expected: JSONValue, _ actual: JSONValue, at path: String = "arguments") -> String? {
        if case .object(let o) = expected, o.count == 1, let written = o["$json_schema"] {
            switch schema(written) {
            case .failure(let error): return "\(path): invalid $json_schema: \(error.message)"
            case .success(let compiled):
                return compiled.validate(actual).map { v in
                    "\(path): does not fit its $json_schema: "
                        + (v.instancePath.isEmpty ? String(v.description.dropFirst("(root): ".count)) : v.description)
                }
            }
        }
        switch (expected, actual) {
        case (.string(let e), .string(let a)):
            let same = caseInsensitive ? e.lowercased() == a.lowercased() : e == a
            return same ? nil : differs(expected, actual, at: path)
        case (.object(let e), .object(let a)):
            for (key, wanted) in e.sorted(by: { $0.key < $1.key }) {
                guard let value = a[key] else { return "\(path).\(key): missing (expected \(Self.shown(wanted)))" }
                if let found = mismatch(wanted, value, at: path + "." + key) { return found }
            }
            if !subset, let (extra, value) = a.sorted(by: { $0.key < $1.key }).first(where: { e[$0.key] == nil }) {
                return "\(path).\(extra): not expected (found \(Self.shown(value)))"
            }
            return nil
        case (.array(let e), .array(let a)):
            guard e.count == a.count else { return "\(path): expected \(e.count) items, found \(a.count)" }
            return zip(e, a).enumerated().lazy.compactMap { i, pair in mismatch(pair.0, pair.1, at: path + "[\(i)]") }
                .first
        default:
            return expected == actual ? nil : differs(expected, actual, at: path)
        }
    }

    private func differs(_ expected: JSONValue, _ actual: JSONValue, at path: String) -> String {
        "\(path): expected \(Self.shown(expected)), found \(Self.shown(actual))"
    }

    static func shown(_ value: JSONValue) -> String { AgentOutput.clipped(value.canonicalText, 80) }
}

/// The most pairs (expected i, actual j) with `fits(i, j)`, each side used once: with `ordered`,
/// pairs in the same order on both sides (a longest common subsequence, by dynamic
/// programming), else any (a maximum bipartite matching, by augmenting paths). Both are optimal,
/// not greedy: a greedy pass can take a call that a later expected call alone would fit, and
/// report a miss where the calls do match. Calls per case are few, so the cubic worst case is cheap.
func bestPairs(expected: Int, actual: Int, ordered: Bool, fits: (Int, Int) -> Bool) -> [(Int, Int)] {
    let fit = (0..<expected).map { i in (0..<actual).map { j in fits(i, j) } }
    if ordered {
        var length = Array(repeating: Array(repeating: 0, count: actual + 1), count: expected + 1)
        for i in stride(from: expected - 1, through: 0, by: -1) {
            for j in stride(from: actual - 1, through: 0, by: -1) {
                length[i][j] = fit[i][j] ? length[i + 1][j + 1] + 1 : max(length[i + 1][j], length[i][j + 1])
            }
        }
        var pairs: [(Int, Int)] = []
        var (i, j) = (0, 0)
        while i < expected, j < actual {
            if fit[i][j] && length[i][j] == length[i + 1][j + 1] + 1 {
                pairs.append((i, j))
                i += 1
                j += 1
            } else if length[i + 1][j] >= length[i][j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return pairs
    }
    var owner = Array(repeating: -1, count: actual)
    func augment(_ i: Int, _ seen: inout [Bool]) -> Bool {
        for j in 0..<actual where fit[i][j] && !seen[j] {
            seen[j] = true
            if owner[j] < 0 || augment(owner[j], &seen) {
                owner[j] = i
                return true
            }
        }
        return false
    }
    for i in 0..<expected {
        var seen = Array(repeating: false, count: actual)
        _ = augment(i, &seen)
    }
    return owner.enumerated().filter { $0.element >= 0 }.map { ($0.element, $0.offset) }.sorted { $0.0 < $1.0 }
}
