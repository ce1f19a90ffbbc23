import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// What settling added to a result.
package struct Settled {
    package var result: RunResult
    /// Distinct cases asked again, and the model calls that took (both sides).
    package var cases: Int
    package var calls: Int
    /// Of `calls`, those made of a baseline's model.
    package var baselineCalls: Int
}

extension Evaluator {
    /// Asks again about the cases `pending` names, round after round until it names none: the
    /// current side's cases of the subject's model, each added to its case as an extra run
    /// (`CaseResult.addSettled`: the first answers stay), and a baseline's cases of that
    /// baseline commit's model, with that commit's configuration and case texts, counted in the
    /// suite's `baselineReasks`. The caller's `judge` (the gate) judges each result once, and
    /// `pending` reads from its judgment what to ask next (`Gate.needsReask`), bounding the rounds;
    /// the judgment of the returned result comes back with it, so the caller need not judge again. Each commit's model runs in one isolated checkout for all rounds. The grown result
    /// is stored over the one it grew from (same key, more evidence) when that was stored (`stored`).
    /// `config` stands in for the subject's own configuration on its side (a `compare` variant).
    package func settle<Judgment>(
        _ subject: EvaluationSubject, config: EvalConfig? = nil, result: RunResult, stored: Bool,
        judge: (RunResult) -> Judgment, pending: (Judgment) -> ReaskPlan,
        progress: @escaping (Int, Int) -> Void = { _, _ in }
    ) throws -> (settled: Settled, judgment: Judgment) {
        var settled = Settled(result: result, cases: 0, calls: 0, baselineCalls: 0)
        var judgment = judge(result)
        var next = pending(judgment)
        guard !next.isEmpty else { return (settled, judgment) }
        var askers: [String: ModelAsker] = [:]
        defer { askers.values.forEach { $0.checkout?.remove() } }
        Interrupts.beginDeferring() // Ctrl-C from here waits for the checkouts' removal
        defer { Interrupts.endDeferring() }
        func asker(_ subject: EvaluationSubject) throws -> ModelAsker {
            let name = if case .commit(let sha) = subject { sha } else { "" }
            if let known = askers[name] { return known }
            // The current side's grades and embeddings serve its re-asks that answer the same.
            let made = try ModelAsker(self, subject, config: name.isEmpty ? config : nil, stored: [result])
            askers[name] = made
            return made
        }
        var asked = Set<String>()
        while !next.isEmpty {
            var progressed = false
            if !next.current.isEmpty {
                for answers in try asker(subject).ask(next.current, progress: progress) {
                    guard let s = settled.result.suites.firstIndex(where: { $0.name == answers.name }) else { continue }
                    for answer in answers.cases {
                        guard let i = settled.result.suites[s].cases.firstIndex(where: { $0.id == answer.id }) else {
                            continue
                        }
                        settled.result.suites[s].cases[i].addSettled(runs: 1, passes: answer.passed ? 1 : 0)
                        settled.calls += 1
                        progressed = true
                        asked.insert(answers.name + "\u{0}" + answer.id)
                    }
                    settled.result.suites[s].metrics = Metrics(settled.result.suites[s].cases)
                }
                settled.result.overall = Metrics(suites: settled.result.suites)
            }
            for (commit, plan) in Dictionary(grouping: next.baseline, by: \.value.commit) {
                let ids = Dictionary(uniqueKeysWithValues: plan.map { ($0.key, $0.value.ids) })
                for answers in try asker(.commit(commit)).ask(ids, progress: progress) {
                    guard let s = settled.result.suites.firstIndex(where: { $0.name == answers.name }) else { continue }
                    for answer in answers.cases {
                        settled.result.suites[s].addBaselineReask(answer.id, commit: commit, passed: answer.passed)
                        settled.calls += 1
                        settled.baselineCalls += 1
                        progressed = true
                        asked.insert(answers.name + "\u{0}" + answer.id)
                    }
                }
            }
            guard progressed else { break }
            judgment = judge(settled.result)
            next = pending(judgment)
        }
        settled.cases = asked.count
        if stored, settled.calls > 0 {
            try store.ensureWritable()
            try store.save(settled.result)
        }
        return (settled, judgment)
    }
}

/// One subject's model, asked about chosen cases: its configuration and case texts as the
/// subject has them, run in an isolated checkout for a commit (made on first use).
private final class ModelAsker {
    let evaluator: Evaluator
    let subject: EvaluationSubject
    let config: EvalConfig
    let suites: [LoadedSuite]
    var checkout: IsolatedCheckout?
    /// The subject's models and asked scorers, for every round (one cost limit over them).
    /// Implicitly unwrapped only because `init` sets it last: its directory closure captures self.
    private var asking: Asking!

    init(_ evaluator: Evaluator, _ subject: EvaluationSubject, config override: EvalConfig? = nil, stored: [RunResult])
        throws
    {
        self.evaluator = evaluator
        self.subject = subject
        config = try override ?? evaluator.config(of: subject)
        let repository = evaluator.repository
        let read: (String) throws -> [UInt8]? =
            switch subject {
            case .commit(let sha): { try repository.fileContents($0, atCommit: sha) }
            case .workingTree: { try RepositoryFile.contents($0, root: repository.root) }
            }
        suites = try evaluator.loadSuites(config, read: read)
        asking = Asking(
            config: config,
            directory: { [unowned self] in
                if checkout == nil, case .commit(let sha) = subject {
                    checkout = try IsolatedCheckout(repository: evaluator.repository, commit: sha)
                    try Interrupts.checkpoint()
                }
                return checkout?.directory ?? evaluator.repository.root
            }, environment: evaluator.environment, stored: stored, maxCostUSD: evaluator.maxCostUSD ?? config.maxCostUSD
        )
    }

    /// The answers, by suite, for the cases `ids` names (suite name → case ids) that the
    /// subject's case files hold.
    func ask(_ ids: [String: [String]], progress: @escaping (Int, Int) -> Void) throws -> [SuiteResult] {
        let loaded = suites.compactMap { suite -> LoadedSuite? in
            guard let wanted = ids[suite.config.name].map(Set.init) else { return nil }
            let chosen = suite.restricted { wanted.contains($0.id) }
            return chosen.cases.isEmpty ? nil : chosen
        }
        guard !loaded.isEmpty else { return [] }
        return try Evaluation.runByModel(config, loaded, asking: asking, repeats: 1, progress: progress).results
    }
}
