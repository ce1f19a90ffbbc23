import EvalGuardConfig
import EvalGuardStore
import EvalGuardSupport

extension Evaluation {
    /// The commit a pairwise judge compares with: the `from_commit` of the subject's own
    /// `.evals/baseline.json` (nil without a pairwise suite, or without a baseline).
    static func pairwiseReference(_ config: EvalConfig, read: (String) throws -> [UInt8]?) -> String? {
        guard config.suites.contains(where: { $0.scorer.judge?.mode == .pairwise }),
            let bytes = try? read(Baseline.path), let baseline = try? Baseline.parse(bytes, displayPath: Baseline.path)
        else { return nil }
        return baseline.fromCommit
    }

    /// Whether a stored result's pairwise suites were compared with `reference`: a result
    /// judged against another baseline's answers cannot stand for this one.
    static func comparedWith(_ reference: String?, _ stored: RunResult, _ config: EvalConfig) -> Bool {
        stored.suites.allSatisfy { suite in
            guard config.suites.first(where: { $0.name == suite.name })?.scorer.judge?.mode == .pairwise else {
                return true
            }
            return suite.judge?.reference == reference
        }
    }

    /// Gives each pairwise suite's judge the baseline's stored answers (whole outputs of cases
    /// run once), from the result of `reference`.
    static func attachingReferences(_ suites: [LoadedSuite], reference: String?, store: ResultStore) -> [LoadedSuite] {
        guard let reference, suites.contains(where: { $0.judge?.settings.mode == .pairwise }) else { return suites }
        let stored = store.result(commit: reference)
        return suites.map { suite in
            guard var judge = suite.judge, judge.settings.mode == .pairwise,
                let answers = stored?.suite(suite.config.name)
            else { return suite }
            var copy = suite
            judge.referenceCommit = reference
            for c in answers.cases where c.runs == nil && c.outputTruncated != true && c.error == nil {
                if let text = c.output, let output = try? JSONParser.parse(text) { judge.references[c.id] = output }
            }
            copy.judge = judge
            return copy
        }
    }
}
