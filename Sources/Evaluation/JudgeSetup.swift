import EvalGuardConfig
import EvalGuardGit
import EvalGuardScoring
import EvalGuardStore
import EvalGuardSupport

/// A suite's judge with everything it reads resolved: its model (as a judge calls it), the
/// prompt built from the template and rubric, and its fingerprint.
package struct ResolvedJudge: Sendable {
    package var settings: JudgeSettings
    package var model: ModelConfig
    /// `models.<name>`: suites that share a judge share its provider.
    package var modelID: String
    package var prompt: JudgePrompt
    /// What the fingerprint covers: the judge's name, its model's settings that reach it and its
    /// prompt files' blob ids, the template's and rubric's blob ids, the grades, the samples and the mode.
    package var stamp: JSONValue
    package var fingerprint: String
    /// Pairwise: the baseline's stored answers by case id (outputs kept whole), and the commit
    /// whose result they come from (nil: no baseline, or its result is not stored).
    package var references: [String: JSONValue] = [:]
    package var referenceCommit: String?

    /// `read` returns a file's bytes from the repository root (working tree or commit).
    package init(_ settings: JudgeSettings, config: EvalConfig, read: (String) throws -> [UInt8]?) throws {
        self.settings = settings
        // EvalConfig refuses a judge that is not in "models"; refused here too, never trapped on.
        guard let judgeModel = config.models[settings.judge] else {
            throw EvalGuardError(
                "the judge '\(settings.judge)' is not a model in \"models\"",
                file: EvalConfig.path, hint: "Add it under \"models\".")
        }
        model = judgeModel.asJudge
        modelID = "models." + settings.judge
        func text(_ t: JudgeSettings.Text, _ what: String) throws -> String {
            switch t {
            case .inline(let s): return s
            case .file(let path):
                guard let bytes = try read(path) else {
                    throw EvalGuardError(
                        "the judge's \(what) file \(path) does not exist", file: EvalConfig.path,
                        hint: "A {\"file\": ...} is a path from the repository root; create the file or fix the path.")
                }
                return try TextBytes.decode(bytes, displayPath: path)
            }
        }
        let rubric = try text(settings.rubric, "rubric")
        let template = try settings.template.map { try text($0, "template") }
        do {
            prompt = try JudgePrompt(
                template: template, rubric: rubric, grades: settings.grades, pairwise: settings.mode == .pairwise)
        } catch {
            throw EvalGuardError(
                "judge template: " + error.message, file: settings.template?.file ?? EvalConfig.path,
                hint: "Without \"template\" the documented default is used (docs/scorers.md, \"Judged suites\").")
        }
        let modelSettings = (try? JSONParser.parse(model.keySettings)) ?? .string(model.keySettings)
        // The judge model's own prompt files (`{"file": ...}` in its messages) reach it as much as
        // the rubric does: their blob ids are in the stamp, so an edit is a new judge.
        var promptFiles: [String: JSONValue] = [:]
        for path in model.promptFiles {
            promptFiles[path] = .string(try read(path).map { GitHash.blobID(of: $0) } ?? "missing")
        }
        var members: [String: JSONValue] = [
            "judge": .string(settings.judge), "model": modelSettings,
            "template": .string(
                template.map { GitHash.blobID(of: $0) }
                    ?? "default:"
                    + GitHash.blobID(
                        of: settings.mode == .pairwise
                            ? JudgePrompt.defaultPairwiseTemplate : JudgePrompt.defaultTemplate)),
            "rubric": .string(GitHash.blobID(of: rubric)), "grades": settings.grades.json,
            "samples": .number(Double(settings.samples)), "mode": .string(settings.mode.rawValue),
        ]
        if !promptFiles.isEmpty { members["prompt_files"] = .object(promptFiles) }
        stamp = .object(members)
        fingerprint = GitHash.blobID(of: "evalguard judge fingerprint\n" + stamp.canonicalText)
    }
}
