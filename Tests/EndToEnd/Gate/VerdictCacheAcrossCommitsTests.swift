import EvalGuardTestSupport
import Foundation
import Testing

/// A kept verdict belongs to what decides it (inputs, stored result, baseline blob, configuration,
/// version, options), not to a commit: the first gate after a commit that changes no input is
/// answered from the cache, whichever of `check`, `check --commit` and the pre-push hook kept
/// it, and prints what an evaluation would have printed, the new commit named. A threshold edit
/// is another verdict. Runs the built binary, one process per command, so
/// `EVALGUARD_TRACE=decode` counts one command.
@Suite struct VerdictCacheAcrossCommitsTests {
    static let environment = VerdictCacheTests.environment
    static let nothing = VerdictCacheTests.nothing
    static func decoded(_ stderr: String) -> String? { VerdictCacheTests.decoded(stderr) }

    /// The echo model reads `model.py` and `prompts/`; `docs/` is not an input.
    func project() throws -> ScratchRepository {
        try VerdictCacheScopeTests.project(docs: ["docs/guide.md": "A guide.\n"])
    }

    func run(_ repo: ScratchRepository, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String)
    {
        try runBinary(arguments, in: repo.root, environment: Self.environment)
    }

    /// What the command prints when no verdict is kept: evaluated, on the same commit.
    func evaluated(_ repo: ScratchRepository, _ arguments: [String]) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try FileManager.default.removeItem(atPath: repo.root + "/.evals/results/verdicts")
        let result = try run(repo, arguments)
        #expect(Self.decoded(result.stderr) != Self.nothing, "\(result.stderr)")
        return result
    }

    @Test(arguments: [["check"], ["check", "--format", "json"], ["check", "--format", "markdown"]])
    func aDocsOnlyCommitIsAnsweredByTheVerdictKeptOnItsParent(_ arguments: [String]) throws {
        let repo = try project()
        let first = try run(repo, arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.decoded(first.stderr) != Self.nothing, "\(first.stderr)")
        try repo.write("docs/guide.md", "A longer guide.\n")
        try repo.commitAll("Docs")
        let served = try run(repo, arguments)
        #expect(served.status == 0, "\(served.stderr)")
        #expect(Self.decoded(served.stderr) == Self.nothing, "\(served.stderr)")
        // Word for word what evaluating prints, the new commit named.
        #expect(served.stdout.contains(String(repo.head.prefix(7))), "\(served.stdout)")
        let again = try evaluated(repo, arguments)
        #expect(served.stdout == again.stdout)
        #expect(
            served.stderr.replacingOccurrences(of: Self.nothing, with: "")
                == again.stderr.replacingOccurrences(of: Self.decoded(again.stderr)!, with: ""))
    }

    @Test func thePrePushHookAfterCheckIsAnsweredAndAThresholdEditIsNot() throws {
        let repo = try project()
        let remote = repo.root + "-remote.git"
        defer { try? FileManager.default.removeItem(atPath: remote) }
        try repo.git("init", "-q", "--bare", "-b", "main", remote)
        try repo.git("remote", "add", "origin", remote)
        try repo.git("push", "-q", "origin", "main")
        let binary = try #require(evalguardBinary())
        func hook(from base: String) throws -> Shell.Result {
            try Shell.run(
                [binary.path, "hook", "pre-push", "origin", remote], in: repo.root,
                stdin: "refs/heads/main \(repo.head) refs/heads/main \(base)\n", environment: Self.environment)
        }
        let pushed = repo.head
        #expect(try run(repo, ["check"]).status == 0)
        try repo.write("docs/guide.md", "A longer guide.\n")
        try repo.commitAll("Docs")
        // The push of the docs commit: the verdict `check` kept on its parent, nothing decoded.
        let served = try hook(from: pushed)
        #expect(served.status == 0, "\(served.stderr)")
        #expect(Self.decoded(served.stderr) == Self.nothing, "\(served.stderr)")
        #expect(served.stderr.contains("pass"), "\(served.stderr)")
        // `check --commit` shares it too, on either commit, each named.
        for revision in [repo.head, pushed] {
            let commit = try run(repo, ["check", "--commit", revision])
            #expect(commit.status == 0, "\(commit.stderr)")
            #expect(Self.decoded(commit.stderr) == Self.nothing, "\(commit.stderr)")
            #expect(commit.stdout.hasPrefix("evalguard check: commit \(revision.prefix(7))"), "\(commit.stdout)")
        }

        // A threshold edit changes no answer but may change the verdict: decoded again.
        let config = try #require(repo.read(".evals/evalguard.json"))
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(
                of: "\"p95_latency_ms\": false", with: "\"p95_latency_ms\": false, \"accuracy\": {\"max_drop\": 0.05}"))
        try repo.commitAll("Tighter accuracy threshold")
        let edited = try hook(from: pushed)
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(Self.decoded(edited.stderr) != Self.nothing, "\(edited.stderr)")
        let checked = try run(repo, ["check"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(Self.decoded(checked.stderr) != Self.nothing, "\(checked.stderr)")
    }

    @Test func checkTakesAKeptVerdictOnlyWhileItsWorkingCopyOfTheBaselineIsTheCommittedOne() throws {
        let repo = try project()
        #expect(try run(repo, ["check"]).status == 0)
        #expect(Self.decoded(try run(repo, ["check"]).stderr) == Self.nothing)
        let baseline = try #require(repo.read(".evals/baseline.json"))
        try repo.write(".evals/baseline.json", baseline + "\n")
        let differs = try run(repo, ["check"])
        #expect(Self.decoded(differs.stderr) != Self.nothing, "\(differs.stderr)")
        #expect(differs.stderr.contains("differs from the one committed"), "\(differs.stderr)")
        // The same bytes again, in a new file: compared once more, then served.
        try repo.write(".evals/baseline.json", baseline)
        #expect(Self.decoded(try run(repo, ["check"]).stderr) != Self.nothing)
        #expect(Self.decoded(try run(repo, ["check"]).stderr) == Self.nothing)
    }
}
