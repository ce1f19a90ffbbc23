/// A commit in a pushed range that changes `.evals/baseline.json`: a decision a reviewer must
/// see, so the push report names it with the metrics before and after.
public struct BaselineChange: Sendable {
    public var commit: CommitInfo
    public var before: Baseline?
    public var after: Baseline?

    /// The commits of `base..tip` that change the baseline, oldest first. Empty when the
    /// baseline at `tip` is the one at `base`.
    public static func find(in repository: Repository, base: String?, tip: String) throws -> [BaselineChange] {
        let path = Baseline.path
        guard let base, try repository.blobID(path, atCommit: base) != repository.blobID(path, atCommit: tip) else { return [] }
        var changes: [BaselineChange] = []
        for sha in try repository.commits(from: tip, hiding: base).reversed() {
            let parent = try repository.parents(of: sha).first
            let before = try parent.flatMap { try repository.blobID(path, atCommit: $0) }
            guard try repository.blobID(path, atCommit: sha) != before else { continue }
            changes.append(BaselineChange(
                commit: try repository.commitInfo(sha),
                before: try parent.flatMap { try load(repository, at: $0) },
                after: try load(repository, at: sha)))
        }
        return changes
    }

    static func load(_ repository: Repository, at sha: String) throws -> Baseline? {
        guard let bytes = try repository.fileContents(Baseline.path, atCommit: sha) else { return nil }
        return try Baseline.parse(bytes, displayPath: "\(sha.prefix(7)):\(Baseline.path)")
    }

    /// "abc1234 Alice <a@example.com> "Accept …": intents accuracy 0.8917 → 0.8083, …"
    public var summary: String {
        var lines = ["\(commit.shortSHA) by \(commit.author) <\(commit.email)>: \"\(commit.subject)\""]
        let names = Set(before?.suites.keys.map { $0 } ?? []).union(after?.suites.keys.map { $0 } ?? []).sorted()
        for name in names {
            let old = before?.suites[name]?.metrics, new = after?.suites[name]?.metrics
            let figures = GatedMetric.allCases.compactMap { metric -> String? in
                let a = old?.value(of: metric), b = new?.value(of: metric)
                guard a != b else { return nil }
                return "\(metric.rawValue) \(Format.value(a, of: metric)) → \(Format.value(b, of: metric))"
            }
            if !figures.isEmpty { lines.append("    \(name): " + figures.joined(separator: ", ")) }
        }
        return lines.joined(separator: "\n")
    }
}
