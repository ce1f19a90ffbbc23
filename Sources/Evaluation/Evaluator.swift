import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// What is evaluated: the working tree (HEAD with any uncommitted changes), or a commit read
/// from git objects.
package enum EvaluationSubject: Sendable, Equatable {
    case workingTree
    case commit(String)
}

/// A result and how it was obtained.
package struct Evaluated {
    package var result: RunResult
    /// True when a stored result with the same evaluation key was used instead of running the
    /// model; `result.commit` then says whose it was.
    package var reused: Bool
    /// The configuration the subject holds.
    package var config: EvalConfig
    /// Input files that differ from HEAD in the working tree (empty for a commit).
    package var dirtyPaths: [String]
    package var dirty: Bool { !dirtyPaths.isEmpty }
    /// True when no model ran: every answer came from stored results (re-scored, re-priced or
    /// re-gated); `result.suites[].reuse` says from where.
    package var reusedAnswers: Bool = false
    /// False for a `--suite` result that lacks a suite: it is not the commit's stored result.
    package var stored: Bool = true
    /// With `--shard`: the share `result` holds (never stored as a result; see `ShardResult`).
    package var shard: Shard?
    /// With `Evaluator.audit`: per suite whose answers came from stored results, what the audit
    /// re-ran and whether the stored answers were kept (nil when no audit was asked for).
    package var audit: [SuiteAudit]? = nil
}

/// The one evaluation path, for the working tree and for commits (`run`, `check`, the pre-push
/// hook, CI, `diff`, blame). The two differ only in where the files come from: the working tree
/// is read in place; a commit's configuration and key come from git objects, and its model runs
/// in an isolated checkout that is removed afterwards, so the user's working tree, index and
/// HEAD are never touched.
package final class Evaluator {
    package let repository: Repository
    /// Where a provider finds what the configuration names (an API key's variable).
    package let environment: [String: String]
    /// Things worth saying from the runs so far that did not stop them, for the command to print.
    package internal(set) var warnings: [String] = []
    /// `--max-cost`: overrides the configuration's `max_cost_usd` for runs of the model.
    package var maxCostUSD: Double?
    /// Set by `ci`: stored answers are audited before they are reused (see `Evaluation.audit`).
    package var audit: AuditRequest?
    /// Whether the evaluation's models go through their batch APIs (`--batch`, `"batch": true`).
    package var batch: BatchRequest?
    /// Across this evaluator's evaluations: the cases whose stored answers were planned one by
    /// one, and the stored suites taken whole instead (`Evaluation.plan`'s `takingWhole`).
    package internal(set) var plannedCases = 0
    package internal(set) var suitesTakenWhole = 0
    package var store: ResultStore { ResultStore(root: repository.root, repository: repository) }
    private var workingTreeConfig: EvalConfig?

    package init(repository: Repository, environment: [String: String] = processEnvironment()) {
        self.repository = repository
        self.environment = environment
    }

    /// The configuration the subject holds.
    package func config(of subject: EvaluationSubject) throws -> EvalConfig {
        switch subject {
        case .commit(let sha):
            return try EvalConfig.load(from: repository, commit: sha)
        case .workingTree:
            if let known = workingTreeConfig { return known }
            let config = try EvalConfig.load(repositoryRoot: repository.root)
            workingTreeConfig = config
            return config
        }
    }

    /// The subject's evaluation key (and, for the working tree, the input files that differ
    /// from HEAD), computed without a checkout.
    package func key(of subject: EvaluationSubject, config: EvalConfig, head: String) throws -> (
        key: String, dirtyPaths: [String]
    ) {
        let (files, dirty) = try inputFiles(of: subject, config: config, head: head)
        return (EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion), dirty)
    }

    /// The subject's input files with their blob ids, and the working tree's files that differ from HEAD.
    func inputFiles(of subject: EvaluationSubject, config: EvalConfig, head: String) throws -> (
        files: [FileVersion], dirtyPaths: [String]
    ) {
        let inputs = config.inputs
        switch subject {
        case .commit(let sha):
            // Directories that cannot hold an input are not read: the key costs the inputs' trees alone.
            return (
                try repository.files(atCommit: sha, descend: inputs.mayInclude(below:)).filter {
                    inputs.includes($0.path)
                }, []
            )
        case .workingTree:
            // Only the inputs' paths are compared with the index and stat'ed: a change elsewhere
            // in the working tree cannot change the key, and a large tree costs nothing.
            return try repository.workingTreeFiles(
                head: head, include: inputs.includes, descend: inputs.mayInclude(below:),
                within: inputs.roots)
        }
    }

    /// The subject's result: a stored one with the same evaluation key and number of runs per
    /// case (unless `fresh`), else one built suite by suite: answers stored under the same
    /// suite key or model fingerprint and case input are reused (re-scored and re-priced), and
    /// only the rest is asked of the model. The result is stored before it is returned.
    /// `repeats` (`--repeat`) overrides the configuration's `repeat`.
    /// With `record` (`run`), a stored result of another commit that is reused whole is also
    /// stored as this commit's.
    ///
    /// With `audit`, reused answers are audited first; a suite that fails the audit runs in full.
    ///
    /// With `only` (`--suite`), the model is asked about those suites alone; another suite is in
    /// the result only when all its answers are stored, and a result that lacks a suite is not
    /// the commit's result (that holds every suite): it is kept aside, for its answers only.
    ///
    /// With `shard` (`--shard i/N`), only that share of every suite's cases is evaluated, under
    /// the whole evaluation's keys, and nothing is stored: the caller writes the share's file
    /// for `evalguard merge`. A whole result already stored is sliced instead.
    package func evaluate(
        _ subject: EvaluationSubject, fresh: Bool = false, repeats: Int? = nil, record: Bool = false,
        only: [String]? = nil, shard: Shard? = nil,
        progress: @escaping (Int, Int) -> Void = { _, _ in }
    ) throws -> Evaluated {
        let commit =
            switch subject {
            case .commit(let sha): sha
            case .workingTree: try repository.headOrUnborn().commit
            }
        let config = try config(of: subject)
        if let only, let unknown = only.first(where: { name in !config.suites.contains { $0.name == name } }) {
            throw EvalGuardError(
                "no suite named '\(unknown)' in \(EvalConfig.path)",
                hint: "Suites: \(config.suites.map(\.name).joined(separator: ", ")).")
        }
        let (files, dirtyPaths) = try inputFiles(of: subject, config: config, head: commit)
        let key = EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion)
        let runs = repeats ?? config.verdict.repeats
        let repository = self.repository
        let read: (String) throws -> [UInt8]? =
            switch subject {
            case .commit(let sha): { try repository.fileContents($0, atCommit: sha) }
            case .workingTree: { try RepositoryFile.contents($0, root: repository.root) }
            }
        let reference = Evaluation.pairwiseReference(config, read: read)
        let decoded = ResultFiles()
        var whole = fresh ? nil : store.find(key: key, commit: commit, repeats: runs, files: decoded)
        if let found = whole, !Evaluation.comparedWith(reference, found, config) { whole = nil }
        if let whole, audit == nil {
            return try reuse(
                whole, commit: commit, dirtyPaths: dirtyPaths, record: record, config: config, shard: shard)
        }
        let suites = try loadSuites(config, read: read)
        var stored = StoredAnswers([], repeats: runs)
        let keys = suites.map { SuiteKey(suite: $0, config: config, files: files, repeats: runs).key }
        // `fresh` reuses no answer, only judge grades and embeddings: without such a scorer no stored result is read.
        let cached = !fresh || config.suites.contains { $0.scorer.judge != nil || $0.scorer.similarity != nil }
        var candidates =
            (whole.map { [$0] } ?? [])
            + (cached ? store.candidates(commit: commit, suiteKeys: keys, files: decoded) : [])
        if !fresh { stored = StoredAnswers(candidates, repeats: runs) }
        let prices = try Evaluation.prices(config, read: read)
        var plans = Evaluation.plan(
            config, suites, files: files, stored: stored, repeats: runs, prices: prices, shard: shard,
            takingWhole: audit == nil)
        for plan in plans {
            if plan.whole != nil { suitesTakenWhole += 1 } else { plannedCases += plan.suite.cases.count }
        }
        if let only { plans.removeAll { !only.contains($0.suite.config.name) && !$0.pending.isEmpty } }
        let partial = plans.count < suites.count
        try store.ensureWritable()
        var checkout: IsolatedCheckout?
        defer { checkout?.remove() }
        Interrupts.beginDeferring() // Ctrl-C from here waits for the checkout's removal
        defer { Interrupts.endDeferring() }
        let directory: () throws -> String = {
            guard case .commit = subject else { return repository.root }
            if let made = checkout { return made.directory }
            let made = try IsolatedCheckout(repository: repository, commit: commit)
            checkout = made
            try Interrupts.checkpoint()
            return made.directory
        }
        var budget = maxCostUSD ?? config.maxCostUSD
        var audits: [SuiteAudit]?
        // Judge grades and embeddings are reused even with `fresh`: it asks the model again, not the judge.
        var caches = candidates
        if let audit {
            // The audit's fresh answers are graded afresh: grades or embeddings carried by the
            // results under audit would let a forged one pass on its own word.
            let auditing = Asking(
                config: config, directory: directory, environment: environment, stored: [], maxCostUSD: budget)
            let done = try Evaluation.audit(
                config, plans: &plans, only: only, commit: commit, request: audit, asking: auditing,
                repeats: runs, progress: progress)
            (audits, warnings) = (done.suites, warnings + done.warnings)
            budget = budget.map { max(0, $0 - done.spentUSD) }
            // A result that failed the audit vouches for nothing, its grades and embeddings included.
            if !done.suites.allSatisfy(\.trusted) { caches = [] }
            if let whole, done.suites.allSatisfy(\.trusted) {
                var e = try reuse(
                    whole, commit: commit, dirtyPaths: dirtyPaths, record: record, config: config, shard: shard)
                e.audit = audits
                return e
            }
        }
        _ = consume suites
        let asking = Asking(
            config: config, directory: directory, environment: environment, stored: caches, maxCostUSD: budget,
            batch: batch)
        caches = []
        let outcome = try Evaluation.evaluate(
            config, plans: consume plans, asking: asking, commit: commit, key: key, dirtyPaths: dirtyPaths,
            repeats: runs, prices: prices, progress: progress)
        warnings += outcome.warnings.filter { !warnings.contains($0) }
        // What planning read and built (the cases with their inputs and digests, consumed above;
        // the stored results) is not needed to write the result: released before it is written.
        (candidates, stored, whole) = ([], StoredAnswers([], repeats: runs), nil)
        if shard != nil {
            // A share is not the commit's result: its file is written by the caller, for the merge.
        } else if partial {
            try store.savePartial(outcome.result)
        } else {
            try store.save(outcome.result)
        }
        // Only now are the batches' answers kept: their batches are forgotten, not before.
        batch?.answered.clear()
        let ranNothing = outcome.result.suites.allSatisfy { $0.reuse?.ran.isEmpty ?? false }
        return Evaluated(
            result: outcome.result, reused: false, config: config, dirtyPaths: dirtyPaths, reusedAnswers: ranNothing,
            stored: !partial && shard == nil, shard: shard, audit: audits)
    }

    /// The subject's suites with their cases and judges loaded (`read` gives its files), each
    /// pairwise judge with the baseline's answers it compares with: what every path that asks
    /// the model starts from, so none goes without a judge.
    func loadSuites(_ config: EvalConfig, read: (String) throws -> [UInt8]?) throws -> [LoadedSuite] {
        Evaluation.attachingReferences(
            try Evaluation.loadSuites(config, read: read),
            reference: Evaluation.pairwiseReference(config, read: read), store: store)
    }

    /// A stored result with the subject's evaluation key, reused whole; with `record`, also
    /// stored as `commit`'s when it was another commit's (or differed in being dirty). With
    /// `shard`, the share of it (never stored as a result).
    private func reuse(
        _ whole: RunResult, commit: String, dirtyPaths: [String], record: Bool, config: EvalConfig,
        shard: Shard?
    ) throws -> Evaluated {
        var stored = whole
        // Says how this evaluation got its answers (all from `stored`), not how `stored` did.
        for i in stored.suites.indices {
            var reuse = SuiteReuse()
            (reuse.reused, reuse.from, reuse.wholeSuite) = (stored.suites[i].cases.count, [stored.commit], true)
            stored.suites[i].reuse = reuse
            stored.suites[i].judge = stored.suites[i].judge.map(\.reused)
        }
        if let shard {
            (stored.commit, stored.dirty, stored.dirtyPaths) = (
                commit, !dirtyPaths.isEmpty, dirtyPaths.isEmpty ? nil : dirtyPaths
            )
            return Evaluated(
                result: stored.share(shard), reused: true, config: config, dirtyPaths: dirtyPaths,
                reusedAnswers: true, stored: false, shard: shard)
        }
        if record, stored.commit != commit || stored.dirty != !dirtyPaths.isEmpty {
            (stored.commit, stored.dirty, stored.dirtyPaths) = (
                commit, !dirtyPaths.isEmpty, dirtyPaths.isEmpty ? nil : dirtyPaths
            )
            try store.ensureWritable()
            try store.save(stored)
        }
        return Evaluated(result: stored, reused: true, config: config, dirtyPaths: dirtyPaths, reusedAnswers: true)
    }
}
