import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `evalguard judge calibrate [--suite S]`: how well each judged suite's judge agrees with the
/// human verdicts (`"human": "pass"` or `"fail"`) its cases carry.
struct JudgeCommand: Command {
    static let spec = CommandSpec(
        name: "judge",
        abstract: "Calibrate a judged suite's judge against human verdicts.",
        discussion: """
            'evalguard judge calibrate' evaluates the working tree like 'run' (stored answers and \
            judge answers are reused, so a calibrated judge is asked nothing again) and, for every \
            judged suite whose cases carry "human": "pass" or "fail", prints how often the judge \
            agrees: accuracy, Cohen's kappa with its 95% interval, the true-pass and true-fail \
            rates, and the cases where judge and human disagree. A kappa below the judge's \
            kappa_floor (default 0.6) is reported as poor agreement here and by every 'check'.
            """,
        options: [
            .option("suite", value: "name", help: "Calibrate this suite only (repeatable).", repeating: true),
            OutputFormat.option,
        ],
        arguments: [PositionalSpec(name: "action", help: "calibrate")])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        guard arguments.positional("action") == "calibrate" else {
            throw UsageError(
                "Unknown action '\(arguments.positional("action") ?? "")': 'evalguard judge calibrate' is the one action."
            )
        }
        let format = try OutputFormat(arguments)
        let only = arguments.values("suite").isEmpty ? nil : arguments.values("suite")
        let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
        let evaluation = try workspace.evaluator.evaluate(
            .workingTree, only: only, progress: context.progressReporter())
        context.sayHowEvaluated(evaluation.result, reused: evaluation.reused, warnings: workspace.warnings)
        let cases = Evaluation.cases(workspace.config, repository: workspace.repository, commit: nil)
        let result = only.map { evaluation.result.restricted(to: $0) } ?? evaluation.result
        let calibrations = JudgeCalibration.of(result, config: workspace.config, cases: cases)
        guard !calibrations.isEmpty else {
            throw EvalGuardError(
                "no judged suite\(only == nil ? "" : " among those named") has cases with a human verdict",
                hint: "Add \"human\": \"pass\" or \"human\": \"fail\" to cases of a suite whose scorer is a judge.")
        }
        switch format {
        case .text: context.console.out(calibrations.map(text).joined(separator: "\n"), terminator: "")
        case .json, .markdown: context.printJSON(.array(calibrations.map(json)))
        }
        return .pass
    }

    static func percent(_ v: Double?) -> String { v.map { String(cFormat: "%.1f%%", $0 * 100) } ?? "n/a" }

    static func text(_ c: JudgeCalibration) -> String {
        let a = c.agreement
        var out = "\(c.suite): the judge against \(a.n) human verdict(s)\n"
        out += "  accuracy         \(percent(a.accuracy)) (\(a.bothPass + a.bothFail) of \(a.n) agree)\n"
        if let kappa = a.kappa, let ci = a.kappaInterval() {
            out += String(cFormat: "  Cohen's kappa    %.3f (95%% CI %.3f to %.3f)\n", kappa, ci.lower, ci.upper)
        } else {
            out += "  Cohen's kappa    undefined (one verdict only, on both sides)\n"
        }
        out += "  true-pass rate   \(percent(a.truePassRate)) (of \(a.humanPasses) human pass(es))\n"
        out += "  true-fail rate   \(percent(a.trueFailRate)) (of \(a.humanFails) human fail(s))\n"
        out +=
            String(cFormat: "  kappa floor      %.2f: ", c.kappaFloor)
            + (c.agreesPoorly ? "the judge agrees POORLY with the humans\n" : "met\n")
        if !c.ungraded.isEmpty { out += "  not graded (an error): " + c.ungraded.joined(separator: ", ") + "\n" }
        if !c.disagreements.isEmpty {
            out += "  disagreements:\n"
            for d in c.disagreements {
                out += "    \(d.id): human \(d.human ? "pass" : "fail"), judge \(d.human ? "fail" : "pass")"
                if let grade = d.grade { out += " (grade \(grade))" }
                if let o = d.output { out += ": " + Format.clip(o, 100) }
                out += "\n"
                if let reason = d.reason { out += "      because " + Format.clip(reason, 100) + "\n" }
            }
        }
        return out
    }

    static func json(_ c: JudgeCalibration) -> JSONValue {
        let a = c.agreement
        // Four decimals, as a reader uses them: the shares and kappa are ratios of small counts,
        // whose binary expansions would otherwise print as 0.37500000000000094.
        let round = { (v: Double) in JSONValue.number((v * 10_000).rounded() / 10_000) }
        let n = { (v: Double?) in v.map(round) ?? .null }
        let ci = a.kappaInterval()
        let text = { (v: String?) in v.map(JSONValue.string) ?? .null }
        return .object([
            "suite": .string(c.suite), "n": .number(Double(a.n)), "accuracy": n(a.accuracy), "kappa": n(a.kappa),
            "kappa_ci": ci.map { .array([round($0.lower), round($0.upper)]) } ?? .null,
            "true_pass_rate": n(a.truePassRate), "true_fail_rate": n(a.trueFailRate),
            "kappa_floor": .number(c.kappaFloor), "agrees_poorly": .bool(c.agreesPoorly),
            "ungraded": .array(c.ungraded.map(JSONValue.string)),
            "disagreements": .array(
                c.disagreements.map {
                    .object([
                        "id": .string($0.id), "human": .string($0.human ? "pass" : "fail"),
                        "judge": .string($0.human ? "fail" : "pass"),
                        "grade": text($0.grade), "reason": text($0.reason),
                    ])
                }),
        ])
    }
}
