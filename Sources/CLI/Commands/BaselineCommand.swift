import EvalGuardEvaluation
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport

/// `evalguard baseline`: write `.evals/baseline.json` from HEAD's result, for the user to commit.
struct BaselineCommand: Command {
    static let spec = CommandSpec(
        name: "baseline",
        abstract: "Write .evals/baseline.json from the result for HEAD (running the model if needed).",
        discussion: """
            The baseline is what every later change is measured against. It is a reviewed file: \
            commit it, and a reviewer sees in the diff which metrics and cases it changes.
            """,
        options: [.flag("fresh", help: "Run the model even when a result for the same inputs is stored."),
                  RepeatOption.option])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
        let evaluation = try workspace.evaluator.evaluate(.workingTree, fresh: arguments.flag("fresh"), repeats: try RepeatOption.value(arguments), progress: context.progressReporter())
        context.sayHowEvaluated(evaluation.result, reused: evaluation.reused, warnings: workspace.warnings)
        let (result, reused) = (evaluation.result, evaluation.reused)
        let text = try Baseline(result: result).rendered()
        try AtomicFile.write(text, to: workspace.root + "/" + Baseline.path)
        let source = reused ? "the stored result" : "a new run"
        let runs = result.repeats.map { ", \($0) runs per case" } ?? ""
        context.console.out("wrote \(Baseline.path) from \(source)\(runs) for \(context.describe(workspace.head))\(result.dirty ? " (dirty working tree)" : "")")
        for suite in result.suites {
            let m = suite.metrics
            let cost = m.avgCostUSD.map { ", avg cost $\(Format.usd($0))" } ?? ""
            context.console.out("  \(suite.name): accuracy \(Format.accuracy(m.accuracy)), p95 \(Format.ms(m.p95LatencyMs)) ms\(cost) over \(m.cases) cases")
        }
        context.console.out("Commit it so that checks use it:\n  git add \(Baseline.path)\n  git commit -m \"Update the evalguard baseline\"")
        return .pass
    }
}
