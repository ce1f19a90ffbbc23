import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// What `evalguard blame` was asked.
package struct BlameOptions: Sendable {
    package var suite: String?
    /// nil: the first metric (accuracy, p95 latency, cost) that regressed between the ends.
    package var metric: GatedMetric?
    /// nil: the most recent stored passing ancestor, else the commit that last changed the baseline.
    package var good: String?
    package var bad: String = "HEAD"
    /// Re-evaluations of a probe whose cases did not side clearly with either end.
    package var retries: Int = 1
    /// Probe with only the cases whose outcome differs between the ends, plus a control sample
    /// (accuracy only); false: evaluate every case of every probe.
    package var partialProbes: Bool = true

    package init(
        suite: String? = nil, metric: GatedMetric? = nil, good: String? = nil, bad: String = "HEAD", retries: Int = 1
    ) {
        self.suite = suite
        self.metric = metric
        self.good = good
        self.bad = bad
        self.retries = retries
    }
}

/// What `evalguard blame` found.
package struct BlameAnswer: Sendable {
    package enum Status: String, Sendable {
        /// One commit is the culprit.
        case found
        /// The culprit is one of several commits: the ones between could not be evaluated, or
        /// their cases did not side clearly with either end.
        case ambiguous
        /// The bad end does not regress against the good end.
        case noRegression = "no_regression"
    }

    package var status: Status
    package var good: CommitInfo
    package var bad: CommitInfo
    /// How the good end was chosen, for the report.
    package var goodReason: String
    package var metric: GatedMetric?
    package var suites: [String]
    package var goodValue: Double?
    package var badValue: Double?
    /// Commits in (good, bad] on the first-parent line.
    package var commitsInRange: Int
    /// How many distinct evaluation keys the good end and those commits have, when the search read
    /// every key (nothing stored narrowed the range first); nil when it did not.
    package var distinctKeys: Int?
    /// How many commits' evaluation keys the search read.
    package var keyedCommits = 0
    /// Model runs the search cost (ends, probes, retries); results reused cost nothing.
    package var evaluations: Int
    package var culprit: Culprit?
    /// For `ambiguous`: every commit that may be the culprit, oldest first.
    package var candidates: [CommitInfo] = []
    package var skipped: [Probe] = []
    package var uncertain: [Probe] = []
    /// Every commit the bisection probed, in the order it probed them.
    package var probes: [ProbeRecord] = []
    /// Why there is no answer, for `noRegression`.
    package var note: String?
}

/// A probed commit that gave no clear verdict.
package struct Probe: Sendable {
    package var commit: CommitInfo
    package var reason: String
}

/// The first bad commit and what it did.
package struct Culprit: Sendable {
    package var commit: CommitInfo
    /// Set for a merge: the regression came in through this second parent.
    package var mergedParent: String?
    /// The last good commit probed before it, and the metric there and at the culprit.
    package var before: String
    package var beforeValue: Double?
    package var afterValue: Double?
    package var broke: [FlippedCase]
    package var fixed: [FlippedCase]
    /// Files under `model.inputs` the commit changed (relative to its first parent).
    package var changedInputs: [ChangedFile]
}

package struct ChangedFile: Sendable, Equatable {
    package enum Change: String, Sendable { case added, modified, deleted }
    package var path: String
    package var change: Change
}

extension BlameAnswer {
    /// Exit 0 when the regression was located (one commit, or a short list), 1 when the range holds none.
    package var exitCode: ExitCode { status == .noRegression ? .regression : .pass }
}

/// Building the culprit's details from the results around it.
package enum CulpritDetails {
    static func changedInputs(_ repository: Repository, commit: String, parent: String?, config: EvalConfig?) throws
        -> [ChangedFile]
    {
        let include: (String) -> Bool = { config?.inputs.includes($0) ?? !EvaluationKey.isExcluded($0) }
        func files(_ sha: String?) throws -> [String: String] {
            guard let sha else { return [:] }
            return Dictionary(
                try repository.files(atCommit: sha).filter { include($0.path) }.map { ($0.path, $0.blobID) },
                uniquingKeysWith: { a, _ in a })
        }
        let now = try files(commit)
        let then = try files(parent)
        var changes: [ChangedFile] = []
        for path in Set(now.keys).union(then.keys).sorted() {
            switch (then[path], now[path]) {
            case (nil, _?): changes.append(ChangedFile(path: path, change: .added))
            case (_?, nil): changes.append(ChangedFile(path: path, change: .deleted))
            case (let a?, let b?) where a != b: changes.append(ChangedFile(path: path, change: .modified))
            default: break
            }
        }
        return changes
    }
}
