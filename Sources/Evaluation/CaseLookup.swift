import EvalGuardConfig
import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

extension Evaluation {
    /// Every suite's cases by id, as committed at `commit`, or as in the working tree when nil:
    /// what reports show next to a flipped case (its input and expected answer). Empty when the
    /// cases cannot be read: a report then shows the outputs alone.
    package static func cases(_ config: EvalConfig, repository: Repository, commit: String?) -> [String: [String:
        EvalCase]]
    {
        let suites = try? loadSuites(config) { path in
            if let commit { return try repository.fileContents(path, atCommit: commit) }
            return try RepositoryFile.contents(path, root: repository.root)
        }
        return Dictionary(
            (suites ?? []).map { s in
                (s.config.name, Dictionary(s.cases.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
            }, uniquingKeysWith: { a, _ in a })
    }
}
