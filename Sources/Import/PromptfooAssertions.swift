import EvalGuardSupport

/// promptfoo's assertions (`assert:` entries, and the `__expected` columns of its CSV files)
/// mapped to evalguard scorers where one scores the same thing. Code assertions are reported,
/// never run: evalguard does not execute what an imported file contains.
enum PromptfooAssertions {
    /// One `assert:` entry: `{type: contains, value: Paris}`.
    static func map(_ node: YAMLNode) -> (type: String, mapped: MappedAssertion) {
        guard case .mapping = node, let type = node["type"]?.json.stringValue else {
            return ("?", .notMapped(reason: "an assertion without a \"type\" (line \(node.line))"))
        }
        return (type, map(type: type, value: node["value"]?.json, threshold: node["threshold"]?.json.numberValue))
    }

    static func map(type: String, value: JSONValue?, threshold: Double?) -> MappedAssertion {
        func text(_ scorer: ImportScorer) -> MappedAssertion {
            guard let v = value else { return .notMapped(reason: "\(type) without a value") }
            guard case .string = v else {
                if case .number(let n) = v { return .mapped(scorer, expected: .string(JSONWriter.numberText(n))) }
                return .notMapped(
                    reason:
                        "\(type) with \(v.kindName) value (a list or object of values has no single evalguard scorer)")
            }
            return .mapped(scorer, expected: v)
        }
        switch type {
        case "equals":
            // promptfoo compares text with text: `value: 4` (a YAML number) expects the output "4".
            switch value {
            case nil: return .notMapped(reason: "equals without a value")
            case .number(let n)?: return .mapped(.exact, expected: .string(JSONWriter.numberText(n)))
            case .bool(let b)?: return .mapped(.exact, expected: .string(b ? "true" : "false"))
            case let v?: return .mapped(.exact, expected: v)
            }
        case "contains": return text(.contains(caseInsensitive: false))
        case "icontains": return text(.contains(caseInsensitive: true))
        case "regex": return text(.regex)
        case "is-json", "contains-json":
            switch value {
            case nil: return .mapped(.jsonSchema(schema: "true"), expected: nil)
            case let schema? where schema.objectValue != nil || schema.boolValue != nil:
                return .mapped(.jsonSchema(schema: schema.canonicalText), expected: nil)
            case let other?:
                return .notMapped(
                    reason: "\(type) with a schema given as \(other.kindName) (a file:// schema is not read)")
            }
        case "similar":
            return text(.similarity(threshold: threshold ?? 0.75))
        case "llm-rubric": return text(.judge)
        case "javascript", "python":
            return .notMapped(reason: "\(type) runs code, which evalguard does not import (write a command scorer)")
        default:
            return .notMapped(reason: "\(type) has no evalguard scorer")
        }
    }

    /// One `__expected` cell of promptfoo's CSV format: `contains: Paris`, `similar(0.8): ...`,
    /// `is-json`, `fn: ...`; a cell without a known prefix is an equality check.
    static func map(expectedCell cell: String) -> (type: String, mapped: MappedAssertion) {
        let prefixes: [(String, String)] = [
            ("equals:", "equals"), ("contains:", "contains"), ("icontains:", "icontains"), ("regex:", "regex"),
            ("llm-rubric:", "llm-rubric"), ("grade:", "llm-rubric"), ("javascript:", "javascript"),
            ("fn:", "javascript"),
            ("eval:", "javascript"), ("python:", "python"), ("file://", "javascript"),
        ]
        for (prefix, type) in prefixes where cell.hasPrefix(prefix) {
            let value = cell.dropFirst(prefix.count).trimmingSpaces
            return (type, map(type: type, value: .string(value), threshold: nil))
        }
        if cell.hasPrefix("similar") {
            var rest = cell.dropFirst("similar".count)
            var threshold: Double?
            if rest.hasPrefix("("), let close = rest.firstIndex(of: ")") {
                threshold = Double(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...]
            }
            if rest.hasPrefix(":") {
                return (
                    "similar",
                    map(type: "similar", value: .string(rest.dropFirst().trimmingSpaces), threshold: threshold)
                )
            }
        }
        for type in ["is-json", "contains-json"] where cell == type || cell.hasPrefix(type + ":") {
            let schema = cell.dropFirst(type.count).drop { $0 == ":" }.trimmingSpaces
            if schema.isEmpty { return (type, map(type: type, value: nil, threshold: nil)) }
            guard let parsed = try? JSONParser.parse(schema) else {
                return (type, .notMapped(reason: "\(type) with a schema that is not JSON"))
            }
            return (type, map(type: type, value: parsed, threshold: nil))
        }
        if let colon = cell.firstIndex(of: ":"), cell[..<colon].allSatisfy({ $0.isLetter || $0 == "-" }),
            cell[..<colon].contains("-")
        {
            let type = String(cell[..<colon])
            return (type, .notMapped(reason: "\(type) has no evalguard scorer"))
        }
        return ("equals", .mapped(.exact, expected: .string(cell)))
    }
}
