import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

/// What a suite's answers depend on, reduced to ids (all git blob ids):
///
/// - the model fingerprint: the result format, the model's settings that reach the model
///   (`ModelConfig.keySettings`) and the blob ids of its input files (its `inputs`, or every
///   file outside `.evals/` when unset, plus its prompt files);
/// - per case, the digest of its `input` (and of its `tool_results`, when it has them);
/// - the suite key: the fingerprint, the case ids with their input digests in order, and the
///   runs per case.
///
/// Thresholds, alpha, `on_inconclusive`, jobs, time-outs, comments, other suites and prices are
/// in none of them: changing those re-gates, re-prices or re-scores stored answers instead.
package struct SuiteKey: Sendable {
    package var key: String
    package var modelFingerprint: String
    /// Per case, in the case file's order (raw blob ids: 20 bytes a case each, no heap text).
    package var inputDigests: [ObjectID]
    package var scoringDigests: [ObjectID]

    package init(suite: LoadedSuite, config: EvalConfig, files: [FileVersion], repeats: Int) {
        modelFingerprint = Self.fingerprint(
            config.model(of: suite.config), files: files, evalguardFiles: Self.evalguardFiles(config, files: files))
        inputDigests = suite.cases.map { GitHash.blobDigest(of: $0.answerInputText) }
        // A judge's fingerprint covers its model, template and rubric (files included).
        var scorer =
            (suite.config.node.value["scorer"] ?? .string("exact")).canonicalText
            + (suite.judge.map { " judge " + $0.fingerprint } ?? "")
            + (suite.config.scorer.command.map { " program " + Self.programDigest($0, files: files) } ?? "")
            + (suite.config.scorer.similarity.flatMap { config.models[$0.model] }.map {
                " embedder " + SimilarityRunner.embedderID($0)
            } ?? "")
        // A schema file is evalguard's, not the model's: a change to it re-scores stored answers.
        if case .jsonSchema(let source) = suite.config.scorer, let digest = source.fileDigest {
            scorer += "\nschema_file " + digest
        }
        // So are the tools' schemas the tool-call scorer checks arguments against.
        if let tools = suite.config.scorer.toolCall?.tools {
            scorer += "\ntools " + JSONValue.object(tools).canonicalText
        }
        // So is the engine that matches regular expressions: answers scored by another (ICU, in
        // earlier versions) are scored again.
        if suite.config.scorer.usesRegularExpressions { scorer += "\nregex " + BoundedRegex.engine }
        // Pairwise, the baseline's answer a case is compared with is part of how it is scored.
        let references = suite.judge?.references ?? [:]
        scoringDigests = suite.cases.map { c in
            GitHash.blobDigest(
                of: scorer + "\n" + c.expected.canonicalText
                    + (references[c.id].map { "\nreference " + $0.canonicalText } ?? ""))
        }
        var manifest =
            "evalguard suite key\nformat \(RunResult.formatVersion)\nmodel \(modelFingerprint)\nrepeat \(repeats)\n"
        for (c, digest) in zip(suite.cases, inputDigests) { manifest += digest.hex + " " + c.id + "\n" }
        key = GitHash.blobID(of: manifest)
    }

    /// The model fingerprint over `files` (a tree's files with their blob ids).
    package static func fingerprint(_ model: ModelConfig, files: [FileVersion], evalguardFiles: Set<String>) -> String {
        let globs = model.inputs?.map(Glob.init)
        let prompts = Set(model.promptFiles)
        var manifest = "evalguard model fingerprint\nformat \(RunResult.formatVersion)\nsettings \(model.keySettings)\n"
        for file in files.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }) {
            let read =
                prompts.contains(file.path)
                || (globs.map { g in g.contains { $0.matches(file.path) } }
                    ?? !evalguardFiles.contains(file.path))
            if read && !EvaluationKey.isExcluded(file.path) { manifest += file.blobID + " " + file.path + "\n" }
        }
        return GitHash.blobID(of: manifest)
    }

    /// The blob ids of a scoring program's files: editing the program re-scores stored answers.
    static func programDigest(_ program: CommandScorerSettings, files: [FileVersion]) -> String {
        let mine = Set(program.files(among: files.map(\.path)))
        var manifest = "evalguard scoring program\n"
        for file in files.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) })
        where mine.contains(file.path) {
            manifest += file.blobID + " " + file.path + "\n"
        }
        return GitHash.blobID(of: manifest)
    }

    /// Files evalguard reads and no model does: the configuration, the case files, the judges'
    /// rubrics and templates, the scoring programs' files, the price tables, the json-schema
    /// scorers' schema files.
    static func evalguardFiles(_ config: EvalConfig, files: [FileVersion]) -> Set<String> {
        let paths = files.map(\.path)
        return Set(config.suites.compactMap(\.scorer.command).flatMap { $0.files(among: paths) })
            .union(
                [EvalConfig.path] + config.suites.map(\.casesPath)
                    + config.suites.flatMap { $0.scorer.judge?.files ?? [] }
                    + config.suites.compactMap {
                        config.model(of: $0).openAI.map { EvalConfig.directory + "/" + $0.prices }
                    }
                    + config.suites.compactMap { if case .jsonSchema(let s) = $0.scorer { s.file } else { nil } })
    }
}
