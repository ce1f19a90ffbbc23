import Foundation
import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardStore
import EvalGuardSupport

/// What settling added to a result.
package struct Settled {
    package var result: RunResult
    /// Distinct cases asked again, and the model calls that took.
    package var cases: Int
    package var calls: Int
}

extension Evaluator {
    /// Asks the model again about the cases `pending` names for the current result (suite name →
    /// case ids), round after round until it names none, and adds each answer to its case as an
    /// extra run (`CaseResult.addSettled`): the first answers stay, so nothing is replaced. The
    /// caller's `pending` decides (`Gate.needsReask`) and bounds the rounds. A commit's model runs
    /// in one isolated checkout for all rounds. The grown result is stored over the one it grew
    /// from (same key, more evidence) when that was stored (`stored`).
    package func settle(_ subject: EvaluationSubject, result: RunResult, stored: Bool,
                        pending: (RunResult) -> [String: [String]],
                        progress: @escaping (Int, Int) -> Void = { _, _ in }) throws -> Settled {
        var settled = Settled(result: result, cases: 0, calls: 0)
        var next = pending(result).filter { !$0.value.isEmpty }
        guard !next.isEmpty else { return settled }
        let config = try config(of: subject)
        let repository = self.repository
        let read: (String) throws -> [UInt8]? = switch subject {
        case .commit(let sha): { try repository.fileContents($0, atCommit: sha) }
        case .workingTree: { path in FileManager.default.contents(atPath: repository.root + "/" + path).map { Array($0) } }
        }
        let suites = try Evaluation.loadSuites(config, read: read)
        var checkout: IsolatedCheckout?
        defer { checkout?.remove() }
        Interrupts.beginDeferring() // Ctrl-C from here waits for the checkout's removal
        defer { Interrupts.endDeferring() }
        var asked = Set<String>()
        while !next.isEmpty {
            let loaded = suites.compactMap { suite -> LoadedSuite? in
                guard let ids = next[suite.config.name].map(Set.init) else { return nil }
                let cases = suite.cases.filter { ids.contains($0.id) }
                return cases.isEmpty ? nil : LoadedSuite(config: suite.config, cases: cases, digest: suite.digest)
            }
            guard !loaded.isEmpty else { break }
            if checkout == nil, case .commit(let sha) = subject {
                checkout = try IsolatedCheckout(repository: repository, commit: sha)
                try Interrupts.checkpoint()
            }
            let out = try Evaluation.runByModel(config, loaded, directory: checkout?.directory ?? repository.root, repeats: 1,
                                                maxCostUSD: maxCostUSD ?? config.maxCostUSD, environment: environment, progress: progress)
            for answers in out.results {
                guard let s = settled.result.suites.firstIndex(where: { $0.name == answers.name }) else { continue }
                for answer in answers.cases {
                    guard let i = settled.result.suites[s].cases.firstIndex(where: { $0.id == answer.id }) else { continue }
                    settled.result.suites[s].cases[i].addSettled(runs: 1, passes: answer.passed ? 1 : 0)
                    settled.calls += 1
                    asked.insert(answers.name + "\u{0}" + answer.id)
                }
                settled.result.suites[s].metrics = Metrics(settled.result.suites[s].cases)
            }
            settled.result.overall = Metrics(of: settled.result.suites.lazy.flatMap(\.cases))
            next = pending(settled.result).filter { !$0.value.isEmpty }
        }
        settled.cases = asked.count
        if stored, settled.calls > 0 {
            try store.ensureWritable()
            try store.save(settled.result)
        }
        return settled
    }
}
