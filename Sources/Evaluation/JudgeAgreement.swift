import EvalGuardConfig
import EvalGuardScoring
import EvalGuardStatistics
import EvalGuardStore

/// A judged suite's verdicts held against the human verdicts its cases carry.
package struct JudgeCalibration: Sendable {
    package struct Disagreement: Sendable, Equatable {
        package var id: String
        package var human: Bool
        package var output: String?
        /// The judge's grade and its reasons, read from the end of its reply the case keeps (nil
        /// when graded from the judge cache, which keeps grades only).
        package var grade: String?
        package var reason: String?
    }

    package var suite: String
    package var agreement = Agreement()
    package var disagreements: [Disagreement] = []
    /// Labelled cases the judge gave no verdict on (an error, or the model failed).
    package var ungraded: [String] = []
    package var kappaFloor: Double

    /// Below the floor: κ under it, or undefined while the two disagree somewhere.
    package var agreesPoorly: Bool {
        guard agreement.n > 0 else { return false }
        if let kappa = agreement.kappa { return kappa < kappaFloor }
        return agreement.accuracy != 1
    }

    /// Every judged suite of `result` with human verdicts in `cases` (by suite, then case id);
    /// the judge's verdict is the case's (the judge's, after any cheaper scorers).
    package static func of(_ result: RunResult, config: EvalConfig, cases: [String: [String: EvalCase]])
        -> [JudgeCalibration]
    {
        result.suites.compactMap { suite in
            guard let judge = config.suites.first(where: { $0.name == suite.name })?.scorer.judge else { return nil }
            var calibration = JudgeCalibration(suite: suite.name, kappaFloor: judge.kappaFloor)
            let labelled = cases[suite.name] ?? [:]
            for c in suite.cases {
                guard let human = labelled[c.id]?.human else { continue }
                guard c.error == nil else {
                    calibration.ungraded.append(c.id)
                    continue
                }
                calibration.agreement.add(judge: c.passed, human: human)
                if c.passed != human {
                    calibration.disagreements.append(
                        .init(
                            id: c.id, human: human, output: c.output,
                            grade: c.reason.flatMap { JudgeGrade.last(in: $0, grades: judge.grades)?.grade },
                            reason: c.reason.flatMap(JudgeGrade.reasoning)))
                }
            }
            return calibration.agreement.n + calibration.ungraded.count > 0 ? calibration : nil
        }
    }
}
