import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardReport
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// `evalguard merge SHARD...`: the shares written by `--shard i/N` (on one machine or on N CI
/// runners) become the commit's result, as if one machine had run every case.
struct MergeCommand: Command {
    static let spec = CommandSpec(
        name: "merge",
        abstract: "Merge the shares written by 'run|check|ci --shard i/N' into the commit's result.",
        discussion: """
            Reads the shard files (each runner's .evals/results/shards/<commit>/<i>-of-<N>.json, \
            passed between CI jobs as artifacts), checks that they are the N shares of one \
            evaluation (the same commit, evaluation key, suite keys, settings and evalguard version, \
            each share once, every case of every suite exactly once against the commit's case files), \
            and writes the commit's result as 'run' does: .evals/results/<commit>.json and its git \
            note. Metrics are computed over the merged whole; 'check' and 'ci' then gate it. A \
            directory stands for the *.json files in it. Exits 2, naming what is missing, duplicated \
            or mismatched, when the shares do not fit together.
            """,
        options: [OutputFormat.option],
        arguments: [PositionalSpec(name: "shard", help: "A shard file, or a directory of them.", repeating: true)])

    static func run(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode {
        let format = try OutputFormat(arguments)
        let repository = try Repository.discover(from: context.workingDirectory)
        let evaluator = Evaluator(repository: repository, environment: context.environment)
        var files: [ShardFile] = []
        for given in arguments.positionals("shard") {
            let path = given.hasPrefix("/") ? given : context.workingDirectory + "/" + given
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw EvalGuardError(
                    "no such shard file", file: given,
                    hint:
                        "Pass the files 'evalguard run --shard i/N' wrote under \(ResultStore.shardDirectory)/<commit>/."
                )
            }
            let paths =
                isDirectory
                ? try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
                    .map { (given + "/" + $0, path + "/" + $0) }
                : [(given, path)]
            for (shown, full) in paths {
                guard let data = FileManager.default.contents(atPath: full) else {
                    throw EvalGuardError("cannot read this shard file", file: shown)
                }
                files.append(ShardFile(path: shown, shard: try ResultStore.loadShard(data, displayPath: shown)))
            }
        }
        guard !files.isEmpty else {
            throw EvalGuardError("no shard files found in \(arguments.positionals("shard").joined(separator: " "))")
        }
        let result = try evaluator.merge(files)
        switch format {
        case .text:
            context.console.out(RunSummary.render(result), terminator: "")
            context.console.err(
                "merged \(files.count) shard(s) of \(result.overall.cases) case(s); wrote \(evaluator.store.displayPath(for: result.commit))"
                    + (result.dirty ? " (dirty: not stored as a git note)" : " and its git note"))
        case .json, .markdown:
            context.printJSON(try RunSummary.json(result))
        }
        return .pass
    }
}
