import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

/// A case whose outcome differs between two results, with its texts for a reader.
package struct FlippedCase: Sendable {
    package var suite: String
    package var id: String
    package var input: String?
    package var expected: String?
    /// The answer on the newer side (the culprit, the current run) and on the older side.
    package var output: String?
    package var error: String?
    package var baselineOutput: String?
    package var baselineError: String?
    /// Why a judge scored the answer as it did, where a judge scored it (shown beside the answers).
    package var judgeReason: String?

    package init(
        suite: String, id: String, input: String?, expected: String?, output: String?, error: String?,
        baselineOutput: String? = nil, baselineError: String? = nil, judgeReason: String? = nil
    ) {
        (self.suite, self.id, self.input, self.expected, self.output, self.error) = (
            suite, id, input, expected, output, error
        )
        (self.baselineOutput, self.baselineError, self.judgeReason) = (baselineOutput, baselineError, judgeReason)
    }
}

/// The cases that broke and were fixed between two results (blame's culprit, `diff`).
package enum CaseFlips {
    /// `before` → `after`, limited to `suites` when given; case texts are read from `commit`'s
    /// cases under `config` (omitted when they cannot be read).
    package static func between(
        before: RunResult, after: RunResult, suites: Set<String>?, repository: Repository,
        config: EvalConfig?, at commit: String
    ) -> (broke: [FlippedCase], fixed: [FlippedCase]) {
        var cases: [String: [String: EvalCase]] = [:]
        if let config,
            let loaded = try? Evaluation.loadSuites(config, read: { try repository.fileContents($0, atCommit: commit) })
        {
            for s in loaded {
                cases[s.config.name] = Dictionary(s.cases.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            }
        }
        var broke: [FlippedCase] = []
        var fixed: [FlippedCase] = []
        for suite in after.suites where suites?.contains(suite.name) ?? true {
            guard let old = before.suite(suite.name) else { continue }
            let was = Dictionary(old.cases.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for c in suite.cases {
                guard let previous = was[c.id], previous.passed != c.passed else { continue }
                let source = cases[suite.name]?[c.id]
                let flip = FlippedCase(
                    suite: suite.name, id: c.id, input: source?.input.canonicalText,
                    expected: source?.expected.canonicalText, output: c.output, error: c.error,
                    baselineOutput: previous.output, baselineError: previous.error, judgeReason: c.reason)
                if previous.passed { broke.append(flip) } else { fixed.append(flip) }
            }
        }
        return (broke, fixed)
    }
}
