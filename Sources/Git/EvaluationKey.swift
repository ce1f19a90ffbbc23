import EvalGuardSupport

/// What a result depends on, reduced to one id: the blob ids of the model's inputs (which include
/// `.evals/` configuration and cases) and the result format. Two trees with the same key give the
/// same evaluation, so a result stored under one is valid for the other.
package enum EvaluationKey {
    /// Files that never influence the model: stored results and the baseline itself.
    package static func isExcluded(_ path: String) -> Bool {
        path.hasPrefix(".evals/results/") || path == ".evals/baseline.json"
    }

    package static func compute(files: [FileVersion], formatVersion: Int) -> String {
        var manifest = "evalguard evaluation key\nformat \(formatVersion)\n"
        for file in files.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }) {
            manifest += file.blobID + " " + file.path + "\n"
        }
        return GitHash.blobID(of: manifest)
    }
}
