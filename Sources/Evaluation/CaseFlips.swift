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
    package var output: String?
    package var error: String?
}

/// The cases that broke and were fixed between two results (blame's culprit, `diff`).
package enum CaseFlips {
    /// `before` → `after`, limited to `suites` when given; case texts are read from `commit`'s
    /// cases under `config` (omitted when they cannot be read).
    package static func between(before: RunResult, after: RunResult, suites: Set<String>?, repository: Repository,
                                config: EvalConfig?, at commit: String) -> (broke: [FlippedCase], fixed: [FlippedCase]) {
        var cases: [String: [String: EvalCase]] = [:]
        if let config, let loaded = try? Evaluation.loadSuites(config, read: { try repository.fileContents($0, atCommit: commit) }) {
            for s in loaded { cases[s.config.name] = Dictionary(s.cases.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }
        }
        var broke: [FlippedCase] = [], fixed: [FlippedCase] = []
        for suite in after.suites where suites?.contains(suite.name) ?? true {
            guard let old = before.suite(suite.name) else { continue }
            let was = Dictionary(old.cases.map { ($0.id, $0.passed) }, uniquingKeysWith: { a, _ in a })
            for c in suite.cases {
                guard let passed = was[c.id], passed != c.passed else { continue }
                let source = cases[suite.name]?[c.id]
                let flip = FlippedCase(suite: suite.name, id: c.id, input: source?.input.canonicalText,
                                       expected: source?.expected.canonicalText, output: c.output, error: c.error)
                if passed { broke.append(flip) } else { fixed.append(flip) }
            }
        }
        return (broke, fixed)
    }
}
