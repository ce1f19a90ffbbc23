import EvalGuardConfig
import EvalGuardSupport

/// The evalguard scorer an imported assertion becomes, with the line to paste into a suite.
/// A suite has one scorer, so an import writes the cases of one scorer (see `ImportSelection`).
package enum ImportScorer: Sendable, Equatable, Hashable {
    case exact
    case contains(caseInsensitive: Bool)
    case regex
    case oneOf
    /// promptfoo's `is-json` / `contains-json`, with the schema they name (`true`: any JSON).
    case jsonSchema(schema: String)
    case similarity(threshold: Double)
    /// `llm-rubric`: the test's rubric is the case's expected answer, which the judge sees.
    case judge

    /// The scorer family, as a configured suite's scorer is named.
    package var family: String {
        switch self {
        case .exact: "exact"
        case .contains: "contains"
        case .regex: "regex"
        case .oneOf: "one-of"
        case .jsonSchema: "json-schema"
        case .similarity: "similarity"
        case .judge: "judge"
        }
    }

    /// The family of the scorer a configured suite compares its cases with: its own, or in a
    /// list the judge (which sees `expected`) else the first step.
    package static func family(of scorer: Scorer) -> String {
        if case .list(let steps) = scorer {
            return steps.first { $0.judge != nil }.map(\.name) ?? steps.first?.name ?? scorer.name
        }
        return scorer.name
    }

    /// `"scorer": ...` for `.evals/evalguard.json`; `judge` and `embedder` name models the user adds.
    package var configText: String {
        switch self {
        case .exact: return "\"exact\""
        case .contains(let ci): return ci ? "{\"type\": \"contains\", \"case_insensitive\": true}" : "\"contains\""
        case .regex: return "\"regex\""
        case .oneOf: return "\"one-of\""
        case .jsonSchema(let schema): return "{\"type\": \"json-schema\", \"schema\": \(schema)}"
        case .similarity(let t):
            return "{\"type\": \"similarity\", \"model\": \"embedder\", \"threshold\": \(JSONWriter.numberText(t))}"
        case .judge:
            return
                "{\"type\": \"judge\", \"judge\": \"grader\", \"rubric\": \"The answer meets the criteria given as the expected answer.\"}"
        }
    }
}

/// What an assertion of another tool became: a scorer and the case's expected answer, or why not.
package enum MappedAssertion: Sendable {
    case mapped(ImportScorer, expected: JSONValue?)
    case notMapped(reason: String)
}

/// A test read from another tool's file: its input, and each assertion with what it maps to.
package struct ReadTest: Sendable {
    package var source: String
    /// The source's own id (a promptfoo description, an id column); nil: derived from the content.
    package var id: String?
    package var input: JSONValue
    /// In the order written: the assertion's type and what it became.
    package var assertions: [(type: String, mapped: MappedAssertion)]

    package init(source: String, id: String?, input: JSONValue, assertions: [(type: String, mapped: MappedAssertion)]) {
        (self.source, self.id, self.input, self.assertions) = (source, id, input, assertions)
    }
}

/// Keeps, of the tests an import read, the cases of one scorer: the one asked for (`--scorer`,
/// or the configured suite's), else the one most tests have an assertion for (the first seen
/// on a tie). A test carries its first assertion of that scorer; the rest are counted.
package struct ImportSelection: Sendable {
    package var scorer: ImportScorer?
    package var cases: [ImportedCase] = []
    package var skipped: [SkippedCase] = []
    /// `equals → exact: 3`, in first-seen order, and the types that map to no scorer.
    package var mapped: [(from: String, to: String, count: Int)] = []
    package var notMapped: [(from: String, count: Int)] = []

    package init(_ tests: [ReadTest], family: String?) {
        var counts: [ImportScorer: Int] = [:]
        var order: [ImportScorer] = []
        for test in tests {
            var seen = Set<ImportScorer>()
            for case .mapped(let s, _) in test.assertions.map(\.mapped) where seen.insert(s).inserted {
                if counts[s] == nil { order.append(s) }
                counts[s, default: 0] += 1
            }
        }
        if let family {
            scorer = order.filter { $0.family == family }.max { counts[$0, default: 0] < counts[$1, default: 0] }
        } else {
            scorer =
                order.enumerated().max { a, b in
                    let (ca, cb) = (counts[a.element, default: 0], counts[b.element, default: 0])
                    return ca < cb || (ca == cb && a.offset > b.offset)
                }?.element
        }
        var usedIDs = Set<String>()
        for test in tests {
            for (type, m) in test.assertions {
                if case .mapped(let s, _) = m {
                    if let i = mapped.firstIndex(where: { $0.from == type && $0.to == s.family }) {
                        mapped[i].count += 1
                    } else {
                        mapped.append((type, s.family, 1))
                    }
                } else if let i = notMapped.firstIndex(where: { $0.from == type }) {
                    notMapped[i].count += 1
                } else {
                    notMapped.append((type, 1))
                }
            }
            var chosen: JSONValue??
            for a in test.assertions where chosen == nil {
                if case .mapped(let s, let expected) = a.mapped, s == scorer { chosen = .some(expected) }
            }
            guard let expected = chosen else {
                skipped.append(SkippedCase(source: test.source, reason: Self.whyNot(test, scorer: scorer)))
                continue
            }
            // A description two tests share names the first; the other is named by its content.
            let id = test.id.flatMap { usedIDs.insert($0).inserted ? $0 : nil }
            cases.append(ImportedCase(id: id, input: test.input, expected: expected, source: test.source))
        }
    }

    static func whyNot(_ test: ReadTest, scorer: ImportScorer?) -> String {
        if test.assertions.isEmpty { return "no assertion: nothing says what a right answer is" }
        let families = test.assertions.compactMap { if case .mapped(let s, _) = $0.mapped { s.family } else { nil } }
        if families.isEmpty {
            let reasons = test.assertions.compactMap { if case .notMapped(let r) = $0.mapped { r } else { nil } }
            return "no assertion evalguard can score: " + reasons.joined(separator: "; ")
        }
        if let scorer, families.contains(scorer.family) {
            // A similarity threshold or a schema of its own: one suite has one.
            return
                "its \(scorer.family) assertion has settings of its own; this import writes \(scorer.configText) (import it again with another --to)"
        }
        let kept = scorer.map { "this import writes \($0.family) cases" } ?? "no scorer was chosen"
        return
            "its assertions map to \(Array(Set(families)).sorted().joined(separator: ", ")); \(kept) (import it again with --scorer \(families[0]) and another --to)"
    }
}
