import EvalGuardConfig
import EvalGuardSupport
import FoundationEssentials

/// What a scorer made of one output: pass or fail, a score in [0, 1] (1 or 0 for the scorers
/// that only pass or fail), and why it failed when the scorer can say (shown in reports).
package struct ScoreOutcome: Sendable, Equatable {
    package var passed: Bool
    package var score: Double
    package var reason: String?
    /// Set when a scorer could not decide (an asked scorer that failed): the case fails with it.
    package var error: String?

    package init(passed: Bool, score: Double? = nil, reason: String? = nil, error: String? = nil) {
        self.passed = passed
        self.score = score ?? (passed ? 1 : 0)
        self.reason = reason
        self.error = error
    }

    /// A scorer that could not decide: a fail, never a pass.
    package static func failed(_ error: String) -> ScoreOutcome { ScoreOutcome(passed: false, score: 0, error: error) }
}

/// Applies a `Scorer` to outputs. Holds compiled regular expressions and schemas so a pattern
/// or schema shared by many cases is compiled once.
package final class ScoringSession {
    private var regexCache: [String: BoundedRegex] = [:]
    private var schemaCache: [JSONValue: JSONSchema] = [:]
    /// CPU seconds a `regex` scorer's match may take before the case is an error.
    let regexTimeLimit: Double

    package init(regexTimeLimit: Double = BoundedRegex.defaultTimeLimit) {
        self.regexTimeLimit = regexTimeLimit
    }

    /// Why a match of `regex` was not decided.
    static func outOfTime(_ regex: BoundedRegex) -> String {
        "the regular expression \(JSONValue.string(regex.source).canonicalText) could not decide: it ran out of time "
            + "(more than \(regex.timeLimit) s of CPU, or too many earlier matches still running); "
            + "simplify nested repetitions such as (a+)+"
    }

    /// The compiled `pattern`, from the cache; nil when it is not a regular expression.
    private func compiledRegex(_ pattern: String) -> BoundedRegex? {
        if let cached = regexCache[pattern] { return cached }
        guard let compiled = BoundedRegex(pattern, timeLimit: regexTimeLimit) else { return nil }
        regexCache[pattern] = compiled
        return compiled
    }

    package func passes(_ scorer: Scorer, output: JSONValue, expected: JSONValue) -> Bool {
        score(scorer, output: output, expected: expected).passed
    }

    package func score(_ scorer: Scorer, output: JSONValue, expected: JSONValue) -> ScoreOutcome {
        switch scorer {
        case .jsonSchema(let source): return validate(output, source)
        case .toolCall(let settings): return scoreToolCalls(settings, output: output, expected: expected)
        case .trajectory(let settings): return scoreTrajectory(settings, output: output, expected: expected)
        case .regex:
            guard let pattern = expected.stringValue, let regex = compiledRegex(pattern) else {
                return ScoreOutcome(passed: false)
            }
            // Out of time is undecided, not "no match": the case is an error, never reused.
            guard let found = regex.matches(text(of: output)) else { return .failed(Self.outOfTime(regex)) }
            return ScoreOutcome(passed: found)
        case .list(let steps) where steps.contains(where: \.explainsFailures):
            // The first step that fails decides, with its reason and score.
            return steps.lazy.map { self.score($0, output: output, expected: expected) }.first { !$0.passed }
                ?? ScoreOutcome(passed: true)
        default: return ScoreOutcome(passed: matches(scorer, output: output, expected: expected))
        }
    }

    /// The scorers before the judge (all of them, when there is none), as `score` scores them:
    /// a failure keeps its reason, which the judge, not asked, does not replace.
    package func scoreBeforeJudge(_ scorer: Scorer, output: JSONValue, expected: JSONValue) -> ScoreOutcome {
        let steps = scorer.beforeJudge
        return steps.count == 1
            ? score(steps[0], output: output, expected: expected)
            : score(.list(steps), output: output, expected: expected)
    }

    /// The compiled `value`, from the cache: a schema shared by many cases compiles once.
    func compiledSchema(_ value: JSONValue) -> Result<JSONSchema, SchemaDefinitionError> {
        if let cached = schemaCache[value] { return .success(cached) }
        do {
            let schema = try JSONSchema(value)
            schemaCache[value] = schema
            return .success(schema)
        } catch { return .failure(error) }
    }

    /// The json-schema scorer: the first violation is the reason. The suite's loader has
    /// already compiled the schema (an invalid one stops the run before the model starts).
    private func validate(_ output: JSONValue, _ source: Scorer.SchemaSource) -> ScoreOutcome {
        guard let value = source.schema else {
            return ScoreOutcome(passed: false, reason: "the schema file was not loaded")
        }
        let schema: JSONSchema
        switch compiledSchema(value) {
        case .success(let compiled): schema = compiled
        case .failure(let error): return ScoreOutcome(passed: false, reason: "invalid JSON Schema: " + error.message)
        }
        guard let violation = schema.validate(parsedIfString(output)) else { return ScoreOutcome(passed: true) }
        if violation.undecided { return .failed(violation.description) }
        return ScoreOutcome(passed: false, reason: violation.description)
    }

    private func matches(_ scorer: Scorer, output: JSONValue, expected: JSONValue) -> Bool {
        switch scorer {
        case .jsonSchema, .toolCall, .trajectory, .regex:
            return score(scorer, output: output, expected: expected).passed
        case .exact(let options):
            return exactMatch(output, expected, options)
        case .contains(let options):
            guard let needle = expected.stringValue else { return false }
            return normalize(text(of: output), options).containsText(normalize(needle, options))
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
        if options.trim { r = r.trimmingWhitespaceAndNewlines() }
        if options.caseInsensitive { r = r.lowercased() }
        return r
    }

    private func text(of value: JSONValue) -> String {
        value.stringValue ?? value.canonicalText
    }

    private func number(of value: JSONValue) -> Double? {
        if let n = value.numberValue { return n }
        return value.stringValue.flatMap { Double($0.trimmingWhitespaceAndNewlines()) }
    }

    private func parsedIfString(_ value: JSONValue) -> JSONValue {
        guard let s = value.stringValue, let parsed = try? JSONParser.parse(s) else { return value }
        return parsed
    }
}

extension Scorer {
    /// A scorer that says why an output fails and scores short of 0 or 1 (a list holding one
    /// keeps the failing step's reason and score).
    var explainsFailures: Bool {
        switch self {
        case .jsonSchema, .toolCall, .trajectory, .regex: true
        default: false
        }
    }
}
