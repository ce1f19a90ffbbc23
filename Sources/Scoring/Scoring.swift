import Foundation
import EvalGuardConfig
import EvalGuardSupport

/// Applies a `Scorer` to outputs. Holds compiled regular expressions so a pattern shared by many
/// cases is compiled once.
package final class ScoringSession {
    private var regexCache: [String: NSRegularExpression] = [:]

    package init() {}

    package func passes(_ scorer: Scorer, output: JSONValue, expected: JSONValue) -> Bool {
        switch scorer {
        case .exact(let options):
            return exactMatch(output, expected, options)
        case .contains(let options):
            guard let needle = expected.stringValue else { return false }
            return normalize(text(of: output), options).contains(normalize(needle, options))
        case .regex:
            guard let pattern = expected.stringValue else { return false }
            let regex: NSRegularExpression
            if let cached = regexCache[pattern] { regex = cached } else {
                guard let compiled = try? NSRegularExpression(pattern: pattern) else { return false }
                regexCache[pattern] = compiled
                regex = compiled
            }
            let s = text(of: output)
            return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        case .json:
            return parsedIfString(output) == expected
        case .numeric(let absolute, let relative):
            guard let e = expected.numberValue, let o = number(of: output) else { return false }
            let diff = abs(o - e)
            return diff <= absolute || diff <= relative * abs(e)
        case .oneOf(let options):
            return expected.arrayValue?.contains { exactMatch(output, $0, options) } ?? false
        case .judge, .command, .similarity:
            // Only the judge or the program can pass it, asked in batches (Evaluation's JudgeRunner, CommandScorerRunner).
            return false
        case .list(let steps):
            return steps.allSatisfy { passes($0, output: output, expected: expected) }
        }
    }

    /// Whether the scorers that run before the judge pass (true when there are none): the
    /// judge is asked only then.
    package func passesBeforeJudge(_ scorer: Scorer, output: JSONValue, expected: JSONValue) -> Bool {
        scorer.beforeJudge.allSatisfy { passes($0, output: output, expected: expected) }
    }

    private func exactMatch(_ output: JSONValue, _ expected: JSONValue, _ options: Scorer.TextOptions) -> Bool {
        if let e = expected.stringValue {
            guard let o = output.stringValue else { return false }
            return normalize(o, options) == normalize(e, options)
        }
        return parsedIfString(output) == expected
    }

    private func normalize(_ s: String, _ options: Scorer.TextOptions) -> String {
        var r = s
        if options.trim { r = r.trimmingCharacters(in: .whitespacesAndNewlines) }
        if options.caseInsensitive { r = r.lowercased() }
        return r
    }

    private func text(of value: JSONValue) -> String {
        value.stringValue ?? value.canonicalText
    }

    private func number(of value: JSONValue) -> Double? {
        if let n = value.numberValue { return n }
        return value.stringValue.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    private func parsedIfString(_ value: JSONValue) -> JSONValue {
        guard let s = value.stringValue, let parsed = try? JSONParser.parse(s) else { return value }
        return parsed
    }
}
