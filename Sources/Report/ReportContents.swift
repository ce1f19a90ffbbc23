import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardHistory
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// One commit of the report's history: its figures per suite, from the stored result `log` shows.
package struct HistoryPoint: Sendable {
    package var commit: String
    /// A short sha, or "working tree" for uncommitted changes.
    package var label: String
    package var date: Date?
    package var subject: String
    package var suites: [String: Metrics]
    package var baselineChanged: Bool
}

/// The first-parent history the charts draw, oldest first, and which point is the current run.
package struct ReportHistory: Sendable {
    package var points: [HistoryPoint]
    package var current: Int?

    package init(points: [HistoryPoint], current: Int?) {
        self.points = points
        self.current = current
    }

    /// The stored results along first-parent history (as `evalguard log` reads them), from `tip`
    /// back at most `limit` commits or to `stop`. The current run is the point of `currentCommit`;
    /// a run of uncommitted changes is added after the tip as "working tree".
    package static func load(
        _ repository: Repository, tip: String, limit: Int, stop: String?,
        current: RunResult, currentCommit: String
    ) throws -> ReportHistory {
        let entries = try ResultLog.entries(repository, from: tip, limit: limit, stop: stop)
        var points = entries.reversed().map { e in
            HistoryPoint(
                commit: e.commit.sha, label: e.commit.shortSHA, date: e.commit.date, subject: e.commit.subject,
                suites: Dictionary(e.summary.suites.map { ($0.name, $0.metrics) }, uniquingKeysWith: { a, _ in a }),
                baselineChanged: e.baselineChanged)
        }
        var index = points.lastIndex { $0.commit == currentCommit }
        if current.dirty, try repository.resolveCommit(tip) == currentCommit {
            points.append(
                HistoryPoint(
                    commit: currentCommit, label: "working tree", date: nil, subject: "uncommitted changes",
                    suites: Dictionary(current.suites.map { ($0.name, $0.metrics) }, uniquingKeysWith: { a, _ in a }),
                    baselineChanged: false))
            index = points.count - 1
        }
        return ReportHistory(points: points, current: index)
    }
}

/// A case that flipped between the baseline and the current run, with what the page shows of it.
package struct ReportFlip: Sendable {
    package enum Direction: String, Sendable { case broke, fixed }
    package var direction: Direction
    package var flip: FlippedCase
    /// Pass rates, when either side ran the case more than once.
    package var baselineRate: Double?
    package var currentRate: Double?

    package init(direction: Direction, flip: FlippedCase, baselineRate: Double? = nil, currentRate: Double? = nil) {
        self.direction = direction
        self.flip = flip
        self.baselineRate = baselineRate
        self.currentRate = currentRate
    }

    /// The flipped cases of a comparison, in its order: input and expected from `cases`, the
    /// current answer from the comparison, the baseline's answer from the result the baseline
    /// was made from (`baselineResult`; nil when that result is not stored here).
    package static func of(
        _ comparison: Comparison, cases: [String: [String: EvalCase]],
        baselineResult: RunResult?
    ) -> [ReportFlip] {
        comparison.suites.flatMap { suite in
            let before = baselineResult?.suite(suite.name).map {
                Dictionary($0.cases.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            }
            func flip(_ f: CaseFlip, _ direction: Direction) -> ReportFlip {
                let source = cases[suite.name]?[f.id]
                let old = before?[f.id]
                return ReportFlip(
                    direction: direction,
                    flip: FlippedCase(
                        suite: suite.name, id: f.id, input: source?.input.canonicalText,
                        expected: source?.expected.canonicalText, output: f.output, error: f.error,
                        baselineOutput: old?.output, baselineError: old?.error),
                    baselineRate: f.baselineRate, currentRate: f.currentRate)
            }
            return suite.regressed.map { flip($0, .broke) } + suite.fixed.map { flip($0, .fixed) }
        }
    }

    /// A JSON value as a reader wants it: a string's text without quotes, anything else as JSON.
    package static func text(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        return value.canonicalText
    }

    /// A stored text (canonical JSON: an answer, maybe cut short with "…", an input, an expected
    /// answer) as a reader wants it: a JSON string unquoted, anything else as it is.
    package static func answerText(_ stored: String) -> String {
        if let value = try? JSONParser.parse(stored) { return text(value) }
        if stored.hasPrefix("\""), stored.hasSuffix("…"),
            let value = try? JSONParser.parse(String(stored.dropLast()) + "\""),
            case .string(let s) = value
        {
            return s + "…"
        }
        return stored
    }
}

extension ReportFlip {
    /// The stored result the baseline was made from, for the baseline's answers: its file, else
    /// its note, else a result stored under its commit's evaluation key (another commit's with
    /// the same inputs, as in a clone that fetched only that one), whichever agrees with the
    /// baseline case by case. A file may since have been overwritten (a working tree evaluated on
    /// top of the same commit): such a result shows other answers than the baseline's, so it is
    /// not used.
    package static func baselineResult(_ baseline: Baseline, repository: Repository) -> RunResult? {
        let store = ResultStore(root: repository.root, repository: repository)
        let commit = baseline.fromCommit
        func agrees(_ result: RunResult) -> Bool {
            baseline.suites.allSatisfy { name, suite in
                guard let run = result.suite(name), run.cases.count == suite.cases.count else { return false }
                return run.cases.allSatisfy { suite.cases[$0.id]?.passed == $0.passed }
            }
        }
        if let own = [store.load(commit: commit), store.note(commit: commit)].lazy.compactMap({ $0 })
            .first(where: { $0.dirty == baseline.dirty && agrees($0) })
        {
            return own
        }
        let evaluator = Evaluator(repository: repository)
        guard let config = try? evaluator.config(of: .commit(commit)),
            let key = try? evaluator.key(of: .commit(commit), config: config, head: commit).key,
            let shared = store.find(key: key, commit: commit), agrees(shared)
        else { return nil }
        return shared
    }
}
