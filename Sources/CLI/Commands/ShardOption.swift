import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `--shard i/N` for `run`, `check` and `ci`: evaluate share i of N of every suite's cases (by a
/// hash of suite and case id) and write it to `.evals/results/shards/<commit>/<i>-of-<N>.json`
/// for `evalguard merge`. A share is never a result and is never gated: `check --shard` and
/// `ci --shard` run their share only; the gate comes after the merge.
enum ShardOption {
    static let option = OptionSpec.option(
        "shard", value: "i/N",
        help: "Evaluate share i of N of every suite's cases and write it for 'evalguard merge' (no gate).")

    static func value(_ arguments: ParsedArguments) throws -> Shard? {
        guard let text = arguments.value("shard") else { return nil }
        guard let shard = Shard(parsing: text) else {
            throw UsageError("Invalid value '\(text)' for '--shard': expected i/N with 1 ≤ i ≤ N, such as 2/4.")
        }
        if declares(arguments, "suite"), !arguments.values("suite").isEmpty {
            throw UsageError("'--shard' and '--suite' cannot be used together: a share covers every suite.")
        }
        if declares(arguments, "bisect"), arguments.flag("bisect") {
            throw UsageError("'--shard' cannot be used with '--bisect': a share has no verdict.")
        }
        return shard
    }

    /// Runs the share and writes its file; 0 when it was written (exit codes otherwise as `run`).
    static func run(_ shard: Shard, _ arguments: ParsedArguments, _ context: CommandContext, command: String) throws
        -> ExitCode
    {
        let repository = try Repository.discover(from: context.workingDirectory)
        let evaluator = Evaluator(repository: repository, environment: context.environment)
        if declares(arguments, "max-cost") { try MaxCostOption.apply(arguments, to: evaluator) }
        if declares(arguments, "batch") {
            try BatchOption.apply(arguments, to: evaluator, context, honoursConfigured: command == "run")
            // Shares run side by side: each keeps its own batch.
            evaluator.batch?.stateSuffix = ".shard-\(shard.index)-of-\(shard.count)"
        }
        let revision = declares(arguments, "commit") ? arguments.value("commit") : nil
        let subject: EvaluationSubject = try revision.map { .commit(try repository.resolveCommit($0)) } ?? .workingTree
        let repeats = declares(arguments, "repeat") ? try RepeatOption.value(arguments) : nil
        let evaluation = try evaluator.evaluate(
            subject, fresh: arguments.flag("fresh"), repeats: repeats,
            shard: shard, progress: context.progressReporter())
        for warning in evaluator.warnings { context.console.err("warning: " + warning) }
        let result = evaluation.result
        try evaluator.store.ensureWritable()
        let path = try evaluator.store.saveShard(ShardResult(shard: shard, result: result), shard)
        context.console.out(RunSummary.render(result), terminator: "")
        let dirty = result.dirty ? " with uncommitted changes" : ""
        context.console.err(
            "wrote \(path): shard \(shard) of commit \(result.commit.prefix(7))\(dirty), \(result.overall.cases) case(s)"
                + (evaluation.reused ? " (from its stored result)" : ""))
        context.console.err(
            "evalguard \(command) --shard: this share is not gated; once every share is written, "
                + "'evalguard merge \(ResultStore.shardDirectory)/\(result.commit)/*.json' stores the commit's result, then 'evalguard \(command == "ci" ? "ci" : "check")' gates it"
        )
        return .pass
    }

    /// `run`, `check` and `ci` declare different options; ask only for those declared.
    static func declares(_ arguments: ParsedArguments, _ name: String) -> Bool {
        arguments.spec.option(key: name) != nil
    }
}
