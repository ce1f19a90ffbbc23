import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

extension Evaluator {
    /// A variant of the working tree's configuration (`EvalConfig.variant`) over the working
    /// tree's cases: the same path as `evaluate(.workingTree)`, with the variant's merged
    /// configuration standing in for the file. Its evaluation key is the working tree's inputs
    /// with the configuration's blob replaced by a digest of the variant, so each variant has a
    /// key of its own; its suites' keys and model fingerprints come from its own settings, so a
    /// suite the variant leaves alone reuses the current configuration's answers and a second
    /// `compare` asks no model. The result is stored apart (`ResultStore.saveVariant`), never as
    /// the commit's.
    package func evaluateVariant(
        _ config: EvalConfig, only: [String]? = nil,
        progress: @escaping (Int, Int) -> Void = { _, _ in }
    ) throws -> Evaluated {
        let name = config.variant?.name ?? "current"
        let commit = try repository.headOrUnborn().commit
        var (files, dirtyPaths) = try inputFiles(of: .workingTree, config: config, head: commit)
        let digest = GitHash.blobID(
            of: "evalguard variant\n" + config.source.text + "\nvariant "
                + (config.variant?.value.canonicalText ?? "{}"))
        files = files.map { $0.path == EvalConfig.path ? FileVersion(path: $0.path, blobID: digest) : $0 }
        let key = EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion)
        let runs = config.verdict.repeats
        let repository = self.repository
        let read: (String) throws -> [UInt8]? = { try RepositoryFile.contents($0, root: repository.root) }
        // A pairwise judge's grades hold only against the baseline answers they were compared with.
        let reference = Evaluation.pairwiseReference(config, read: read)
        if let whole = store.variant(key: key, repeats: runs), Evaluation.comparedWith(reference, whole, config),
            only?.allSatisfy({ whole.suite($0) != nil }) ?? true
        {
            var reused = whole
            for i in reused.suites.indices {
                var reuse = SuiteReuse()
                (reuse.reused, reuse.from, reuse.wholeSuite) = (reused.suites[i].cases.count, [reused.commit], true)
                reused.suites[i].reuse = reuse
            }
            return Evaluated(
                result: reused, reused: true, config: config, dirtyPaths: dirtyPaths, reusedAnswers: true, stored: false
            )
        }
        let suites = try loadSuites(config, read: read)
        let keys = suites.map { SuiteKey(suite: $0, config: config, files: files, repeats: runs).key }
        let candidates =
            [store.variant(named: name)].compactMap { $0 } + store.candidates(commit: commit, suiteKeys: keys)
        let stored = StoredAnswers(candidates, repeats: runs)
        let prices = try Evaluation.prices(config, read: read)
        var plans = Evaluation.plan(
            config, suites, files: files, stored: stored, repeats: runs, prices: prices, shard: nil)
        if let only { plans.removeAll { !only.contains($0.suite.config.name) } }
        try store.ensureWritable()
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        let asking = Asking(
            config: config, directory: { repository.root }, environment: environment, stored: candidates,
            maxCostUSD: maxCostUSD ?? config.maxCostUSD)
        let outcome = try Evaluation.evaluate(
            config, plans: plans, asking: asking, commit: commit, key: key, dirtyPaths: dirtyPaths,
            repeats: runs, prices: prices, progress: progress)
        warnings += outcome.warnings.filter { !warnings.contains($0) }
        let result = outcome.result
        try keepVariant(result, name: name, config: config)
        let ranNothing = result.suites.allSatisfy { $0.reuse?.ran.isEmpty ?? false }
        return Evaluated(
            result: result, reused: false, config: config, dirtyPaths: dirtyPaths, reusedAnswers: ranNothing,
            stored: false)
    }
}

extension Evaluator {
    /// Keeps a variant's result for the next `compare`. A result that lacks one of the
    /// configuration's suites (`--suite`) is not the variant's whole result: it is kept by name
    /// only, as a source of answers, under a key no evaluation has, so that no later evaluation
    /// takes it whole.
    package func keepVariant(_ result: RunResult, name: String, config: EvalConfig) throws {
        var kept = result
        if config.suites.contains(where: { result.suite($0.name) == nil }) {
            kept.key = GitHash.blobID(of: "partial " + result.key)
        }
        try store.saveVariant(kept, name: name)
    }
}
