import Foundation

/// What `evalguard blame` was asked.
public struct BlameOptions: Sendable {
    public var suite: String?
    /// nil: the first metric (accuracy, p95 latency, cost) that regressed between the ends.
    public var metric: GatedMetric?
    /// nil: the most recent stored passing ancestor, else the commit that last changed the baseline.
    public var good: String?
    public var bad: String = "HEAD"
    /// Re-evaluations of a probe whose cases did not side clearly with either end.
    public var retries: Int = 1

    public init(suite: String? = nil, metric: GatedMetric? = nil, good: String? = nil, bad: String = "HEAD", retries: Int = 1) {
        self.suite = suite
        self.metric = metric
        self.good = good
        self.bad = bad
        self.retries = retries
    }
}

/// What `evalguard blame` found.
public struct BlameAnswer: Sendable {
    public enum Status: String, Sendable {
        /// One commit is the culprit.
        case found
        /// The culprit is one of several commits: the ones between could not be evaluated, or
        /// their cases did not side clearly with either end.
        case ambiguous
        /// The bad end does not regress against the good end.
        case noRegression = "no_regression"
    }

    public var status: Status
    public var good: CommitInfo
    public var bad: CommitInfo
    /// How the good end was chosen, for the report.
    public var goodReason: String
    public var metric: GatedMetric?
    public var suites: [String]
    public var goodValue: Double?
    public var badValue: Double?
    /// Commits in (good, bad] on the first-parent line, and how many distinct evaluation keys they have.
    public var commitsInRange: Int
    public var distinctKeys: Int
    /// Model runs the search cost (ends, probes, retries); results reused cost nothing.
    public var evaluations: Int
    public var culprit: Culprit?
    /// For `ambiguous`: every commit that may be the culprit, oldest first.
    public var candidates: [CommitInfo] = []
    public var skipped: [Probe] = []
    public var uncertain: [Probe] = []
    /// Every commit the bisection probed, in the order it probed them.
    public var probes: [ProbeRecord] = []
    /// Why there is no answer, for `noRegression`.
    public var note: String?
}

/// A probed commit that gave no clear verdict.
public struct Probe: Sendable {
    public var commit: CommitInfo
    public var reason: String
}

/// The first bad commit and what it did.
public struct Culprit: Sendable {
    public var commit: CommitInfo
    /// Set for a merge: the regression came in through this second parent.
    public var mergedParent: String?
    /// The last good commit probed before it, and the metric there and at the culprit.
    public var before: String
    public var beforeValue: Double?
    public var afterValue: Double?
    public var broke: [FlippedCase]
    public var fixed: [FlippedCase]
    /// Files under `model.inputs` the commit changed (relative to its first parent).
    public var changedInputs: [ChangedFile]
}

public struct FlippedCase: Sendable {
    public var suite: String
    public var id: String
    public var input: String?
    public var expected: String?
    /// The answer on the newer side (the culprit, the current run) and on the older side.
    public var output: String?
    public var error: String?
    public var baselineOutput: String?
    public var baselineError: String?
    /// Why a judge scored the answer as it did, where a judge scored it (shown beside the answers).
    public var judgeReason: String?

    package init(suite: String, id: String, input: String?, expected: String?, output: String?, error: String?,
                 baselineOutput: String? = nil, baselineError: String? = nil, judgeReason: String? = nil) {
        (self.suite, self.id, self.input, self.expected, self.output, self.error) = (suite, id, input, expected, output, error)
        (self.baselineOutput, self.baselineError, self.judgeReason) = (baselineOutput, baselineError, judgeReason)
    }
}

public struct ChangedFile: Sendable, Equatable {
    public enum Change: String, Sendable { case added, modified, deleted }
    public var path: String
    public var change: Change
}

extension BlameAnswer {
    /// Exit 0 when the regression was located (one commit, or a short list), 1 when the range holds none.
    public var exitCode: ExitCode { status == .noRegression ? .regression : .pass }
}

/// Building the culprit's details from the results around it.
enum CulpritDetails {
    static func flips(before: RunResult, after: RunResult, suites: Set<String>?, repository: Repository,
                      config: EvalConfig?, at commit: String) -> (broke: [FlippedCase], fixed: [FlippedCase]) {
        var cases: [String: [String: EvalCase]] = [:]
        if let config, let loaded = try? Evaluation.loadSuites(config, read: { try repository.fileContents($0, atCommit: commit) }) {
            for s in loaded { cases[s.config.name] = Dictionary(s.cases.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }
        }
        var broke: [FlippedCase] = [], fixed: [FlippedCase] = []
        for suite in after.suites where suites?.contains(suite.name) ?? true {
            guard let old = before.suite(suite.name) else { continue }
            let was = Dictionary(old.cases.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for c in suite.cases {
                guard let previous = was[c.id], previous.passed != c.passed else { continue }
                let source = cases[suite.name]?[c.id]
                let flip = FlippedCase(suite: suite.name, id: c.id, input: source?.input.canonicalText,
                                       expected: source?.expected.canonicalText, output: c.output, error: c.error,
                                       baselineOutput: previous.output, baselineError: previous.error)
                if previous.passed { broke.append(flip) } else { fixed.append(flip) }
            }
        }
        return (broke, fixed)
    }

    static func changedInputs(_ repository: Repository, commit: String, parent: String?, config: EvalConfig?) throws -> [ChangedFile] {
        let include: (String) -> Bool = { config?.inputs.includes($0) ?? !EvaluationKey.isExcluded($0) }
        func files(_ sha: String?) throws -> [String: String] {
            guard let sha else { return [:] }
            return Dictionary(try repository.files(atCommit: sha).filter { include($0.path) }.map { ($0.path, $0.blobID) },
                              uniquingKeysWith: { a, _ in a })
        }
        let now = try files(commit), then = try files(parent)
        var changes: [ChangedFile] = []
        for path in Set(now.keys).union(then.keys).sorted() {
            switch (then[path], now[path]) {
            case (nil, _?): changes.append(ChangedFile(path: path, change: .added))
            case (_?, nil): changes.append(ChangedFile(path: path, change: .deleted))
            case let (a?, b?) where a != b: changes.append(ChangedFile(path: path, change: .modified))
            default: break
            }
        }
        return changes
    }
}
