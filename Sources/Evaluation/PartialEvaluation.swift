import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

extension Evaluator {
    /// A commit's answers for the named cases only (suite name → case ids): stored answers are
    /// reused as in `evaluate`, the rest asked of the model in an isolated checkout. The result is
    /// marked partial (`RunResult.partial` says why) and kept apart (`ResultStore.savePartial`):
    /// `check`, `log`, the hook and blame's own lookups never take it for the commit's result.
    package func evaluateCases(_ sha: String, cases: [String: Set<String>], why: String, fresh: Bool = false) throws
        -> RunResult
    {
        let config = try config(of: .commit(sha))
        let repository = self.repository
        let files = try repository.files(atCommit: sha).filter { config.inputs.includes($0.path) }
        let key = EvaluationKey.compute(files: files, formatVersion: RunResult.formatVersion)
        let runs = config.verdict.repeats
        let read: (String) throws -> [UInt8]? = { try repository.fileContents($0, atCommit: sha) }
        let all = try loadSuites(config, read: read)
        let suites = all.compactMap { suite -> LoadedSuite? in
            guard let ids = cases[suite.config.name] else { return nil }
            let chosen = suite.restricted { ids.contains($0.id) }
            return chosen.cases.isEmpty ? nil : chosen
        }
        // The whole suites' keys: a result stored under one of them (the key index) holds answers
        // for these cases too, wherever in history it was made; its judge grades and embeddings
        // are reused even with `fresh`, which asks the model again, not the judge.
        let keys = all.filter { cases[$0.config.name] != nil }.map {
            SuiteKey(suite: $0, config: config, files: files, repeats: runs).key
        }
        let candidates = store.candidates(commit: sha, suiteKeys: keys)
        let stored = StoredAnswers(fresh ? [] : candidates, repeats: runs)
        let prices = try Evaluation.prices(config, read: read)
        let plans = Evaluation.plan(config, suites, files: files, stored: stored, repeats: runs, prices: prices)
        try store.ensureWritable()
        var checkout: IsolatedCheckout?
        defer { checkout?.remove() }
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        let asking = Asking(
            config: config,
            directory: {
                let made = try IsolatedCheckout(repository: repository, commit: sha)
                checkout = made
                try Interrupts.checkpoint()
                return made.directory
            }, environment: environment, stored: candidates, maxCostUSD: maxCostUSD ?? config.maxCostUSD)
        let outcome = try Evaluation.evaluate(
            config, plans: plans, asking: asking, commit: sha, key: key, dirtyPaths: [], repeats: runs,
            prices: prices, progress: { _, _ in })
        var result = outcome.result
        let asked = suites.reduce(0) { $0 + $1.cases.count }
        let total = all.reduce(0) { $0 + $1.cases.count }
        result.partial = "\(why): \(asked) of \(total) cases"
        try store.savePartial(result)
        return result
    }
}
