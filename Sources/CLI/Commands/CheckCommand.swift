import Foundation
import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport

/// `evalguard check`: evaluate the working tree (or a commit) and hold it against a committed baseline.
struct CheckCommand: Command {
    static let spec = CommandSpec(
        name: "check",
        abstract: "Compare the working tree, or a commit, with the baseline committed at a revision.",
        discussion: """
            Evaluates the working tree (reusing the stored result when nothing the model depends \
            on changed) and compares it, suite by suite, with .evals/baseline.json as committed at \
            <rev>, never the working-tree copy. With --commit, evaluates that commit in an isolated \
            checkout instead, and --against defaults to it. A metric beyond its threshold is a \
            regression only when the change is significant (alpha in the configuration, default \
            0.05); otherwise it is inconclusive, which passes with a warning unless on_inconclusive \
            is "fail". Exits 0 when every metric passes, 1 on a regression, 2 on bad usage or input, 3 when the model could not be \
            evaluated. With --bisect, for 'git bisect run': 0 good, 1 bad, 125 cannot evaluate; inside a \
            bisect session (refs/bisect/bad and refs/bisect/good-*) the commit is sided case by case \
            against those ends instead of the baseline, and skipped only when the votes cannot decide.
            """,
        options: [
            .option("against", value: "rev", help: "The commit whose committed baseline to compare with (default: HEAD, or the --commit)."),
            .option("commit", value: "rev", help: "Evaluate this commit instead of the working tree."),
            .flag("fresh", help: "Run the model even when a result for the same inputs is stored."),
            .option("suite", value: "name", help: "Check this suite only (repeatable).", repeating: true),
            .flag("bisect", help: "Exit as 'git bisect run' expects: 0 good, 1 bad, 125 cannot evaluate."),
            SettleOption.flag,
            RepeatOption.option,
            ShardOption.option,
            OutputFormat.withMarkdown,
        ])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        if let shard = try ShardOption.value(arguments) { return try ShardOption.run(shard, arguments, context, command: "check") }
        guard arguments.flag("bisect") else { return try check(arguments, context).blocks ? .regression : .pass }
        do {
            // Inside a bisect session the cases vote between the ends git bisect knows.
            if let voted = try BisectVotes.exitCode(arguments, context) { return voted }
            // An inconclusive commit is neither good nor bad: let git bisect skip it.
            switch try check(arguments, context).verdict {
            case .regression: return .regression
            case .inconclusive: return .bisectSkip
            case .pass, .skipped: return .pass
            }
        } catch {
            // Only a verdict may say good or bad: anything else skips the commit (see ErrorCategory).
            context.console.err(CLI.describe(error))
            return ExitCode.of(error, bisect: true)
        }
    }

    static func check(_ arguments: ParsedArguments, _ context: CommandContext) throws -> Comparison {
        let format = try OutputFormat(arguments, allowed: [.text, .json, .markdown])
        let repeats = try RepeatOption.value(arguments)
        let fresh = arguments.flag("fresh")
        let only = arguments.values("suite").isEmpty ? nil : arguments.values("suite")
        let against = arguments.value("against") ?? arguments.value("commit") ?? "HEAD"
        let subject: String, reused: Bool, repository: Repository, evaluator: Evaluator, evaluated: EvaluationSubject
        var result: RunResult, config: EvalConfig, stored: Bool
        let baseline: Baseline, baselineCommit: String
        var extra: [String: JSONValue] = [:]
        var cache: VerdictCacheKey?, cacheable: String?, said: [String] = []
        // What a cached verdict depends on of the command line (subject and baseline come on top).
        let options = [format.rawValue, only?.joined(separator: "\n") ?? "", repeats.map(String.init) ?? "",
                       arguments.flag("no-settle") ? "no-settle" : "settle"]
        // The baseline is read first: when there is nothing to compare with, the model need not run.
        if let revision = arguments.value("commit") {
            repository = try Repository.discover(from: context.workingDirectory)
            let sha = try repository.resolveCommit(revision)
            let commitEvaluator = Evaluator(repository: repository, environment: context.environment)
            // The same commit held against the same baseline passed before: print its verdict, decoding nothing.
            cache = fresh ? nil : (try? repository.resolveCommit(against)).flatMap {
                VerdictCacheKey(commitEvaluator, .commit(sha), baselineAt: $0, workingCopy: nil, parts: ["check --commit", sha, against] + options)
            }
            if let hit = cache?.hit {
                VerdictCacheKey.replay(hit, context)
                return Comparison(suites: [], settings: try commitEvaluator.config(of: .commit(sha)).verdict)
            }
            (baseline, baselineCommit) = try context.committedBaseline(in: repository, at: against, workingCopy: nil)
            let evaluation = try commitEvaluator.evaluate(.commit(sha), fresh: fresh, repeats: repeats, only: only, progress: context.progressReporter())
            cacheable = cache?.digestAfter(evaluation)
            context.sayHowEvaluated(evaluation.result, reused: evaluation.reused, warnings: commitEvaluator.warnings)
            said = evaluation.result.judgeLines
            (result, reused, config, stored) = (evaluation.result, evaluation.reused, evaluation.config, evaluation.stored)
            (evaluator, evaluated) = (commitEvaluator, .commit(sha))
            subject = "evalguard check: commit \(sha.prefix(7))"
            extra = ["commit": .string(sha), "dirty": .bool(false)]
        } else {
            let workspace = try Workspace(directory: context.workingDirectory, environment: context.environment)
            repository = workspace.repository
            if workspace.head.isUnborn, arguments.value("against") == nil {
                throw EvalGuardError("the repository has no commits yet, so no baseline is committed to check against",
                                     hint: "Record the baseline and commit it:\n  evalguard baseline\n  git add -A\n  git commit -m \"Add evalguard evals and baseline\"")
            }
            // The same gate on the same inputs already passed: print its verdict, decoding nothing.
            cache = fresh ? nil : (try? repository.resolveCommit(against)).flatMap {
                VerdictCacheKey(workspace.evaluator, .workingTree, baselineAt: $0, workingCopy: workspace.root,
                                parts: ["check", against, context.describe(workspace.head)] + options)
            }
            if let hit = cache?.hit {
                VerdictCacheKey.replay(hit, context)
                return Comparison(suites: [], settings: workspace.config.verdict)
            }
            (baseline, baselineCommit) = try context.committedBaseline(in: repository, at: against, workingCopy: workspace.root)
            let evaluation = try workspace.evaluator.evaluate(.workingTree, fresh: fresh, repeats: repeats, only: only, progress: context.progressReporter())
            cacheable = cache?.digestAfter(evaluation)
            context.sayHowEvaluated(evaluation.result, reused: evaluation.reused, warnings: workspace.warnings)
            said = evaluation.result.judgeLines
            (result, reused, config, stored) = (evaluation.result, evaluation.reused, workspace.config, evaluation.stored)
            (evaluator, evaluated) = (workspace.evaluator, .workingTree)
            subject = "evalguard check: \(context.describe(workspace.head))\(evaluation.dirty ? " + uncommitted changes" : "")"
            extra = ["commit": .string(workspace.head.commit), "dirty": .bool(evaluation.dirty)]
        }
        if arguments.flag("no-settle") { config = config.withoutSettling() }
        let gated = only.map { baseline.restricted(to: $0) } ?? baseline
        let judgeChanges = JudgeChange.find(baseline: gated, current: only.map { result.restricted(to: $0) } ?? result)
        if !judgeChanges.isEmpty { throw JudgeChange.refusal(judgeChanges) }
        let compare = { (r: RunResult) in Gate.compare(baseline: gated, current: only.map { r.restricted(to: $0) } ?? r, config: config, canAsk: repository.hasCommit) }
        let comparison: Comparison
        (result, comparison) = try SettleOption.settle(evaluator, evaluated, result: result, stored: stored, compare: compare, context: context)
        // A verdict reached by re-asking is not cached: the next check reads the stored re-asks.
        if VerdictCacheKey.settled(result) { cacheable = nil }
        var report = VerdictReport(comparison: comparison, current: result, subject: subject,
                                   baselineLabel: "the baseline committed at \(against) (\(baselineCommit.prefix(7)))")
        var output = ""
        switch format {
        case .text, .markdown:
            if comparison.suites.contains(where: { !$0.regressed.isEmpty || !$0.fixed.isEmpty }) {
                report.expected = Evaluation.expectedAnswers(config, repository: repository, commit: result.dirty ? nil : result.commit)
            }
            output = format == .text ? report.text() : report.markdown()
        case .json:
            extra["result_commit"] = .string(result.commit)
            extra["reused_result"] = .bool(reused)
            extra["reuse"] = result.reuseJSON
            extra["baseline"] = .object(["revision": .string(against), "commit": .string(baselineCommit)])
            JSONPretty.write(report.json(extra: extra), to: &output)
            output += "\n"
        }
        context.console.out(output, terminator: "")
        let noise = NoiseWarning.lines(comparison) + JudgeCommand.poorAgreementWarnings(result, config: config, repository: repository)
        for line in noise { context.console.err(line) }
        // Only a verdict with nothing to warn about is cached: a hit says again what was said above.
        if let cache, let cacheable, VerdictCacheKey.keepable(comparison, noise: noise) {
            cache.save(CachedVerdict(resultCommit: result.commit, stdout: output, notes: said), digest: cacheable)
        }
        return comparison
    }
}
