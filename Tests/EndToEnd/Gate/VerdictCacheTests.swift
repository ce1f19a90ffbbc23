import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// The gate on an unchanged model prints a verdict it reached before without decoding the stored
/// result or the baseline, and decodes again when anything the verdict depends on changes. Runs
/// the built binary, one process per command, so `EVALGUARD_TRACE=decode` counts one command.
@Suite struct VerdictCacheTests {
    func project() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (1...30).map { caseLine("c\($0)", "q\($0)") })
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Record the baseline")
        return repo
    }

    static let environment = [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root", "EVALGUARD_TRACE": "decode",
    ]

    static func decoded(_ stderr: String) -> String? {
        stderr.split(separator: "\n").last { $0.hasPrefix("trace: decoded") }.map(String.init)
    }

    static let nothing = "trace: decoded 0 result(s) and 0 baseline(s)"

    @Test func checkPrintsTheSameVerdictAgainDecodingNothingUntilAnInputChanges() throws {
        let repo = try project()
        let first = try runBinary(["check"], in: repo.root, environment: Self.environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.decoded(first.stderr) != Self.nothing, "\(first.stderr)")
        let second = try runBinary(["check"], in: repo.root, environment: Self.environment)
        #expect(second.status == 0)
        #expect(Self.decoded(second.stderr) == Self.nothing, "\(second.stderr)")
        #expect(second.stdout == first.stdout)
        #expect(second.stderr == first.stderr.replacingOccurrences(of: Self.decoded(first.stderr)!, with: Self.nothing))
        // Another output format is another verdict text.
        let markdown = try runBinary(["check", "--format", "markdown"], in: repo.root, environment: Self.environment)
        #expect(Self.decoded(markdown.stderr) != Self.nothing)

        // A threshold edit (the configuration) is read again.
        let config = try #require(repo.read(".evals/evalguard.json"))
        try repo.write(
            ".evals/evalguard.json",
            config.replacingOccurrences(
                of: "\"p95_latency_ms\": false", with: "\"p95_latency_ms\": false, \"accuracy\": {\"max_drop\": 0.05}"))
        let edited = try runBinary(["check"], in: repo.root, environment: Self.environment)
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(Self.decoded(edited.stderr) != Self.nothing, "\(edited.stderr)")
        try repo.write(".evals/evalguard.json", config)
        // The run under the edited configuration rewrote the commit's result file: read once more.
        #expect(
            Self.decoded(try runBinary(["check"], in: repo.root, environment: Self.environment).stderr) != Self.nothing)
        #expect(
            Self.decoded(try runBinary(["check"], in: repo.root, environment: Self.environment).stderr) == Self.nothing)

        // So is a new committed baseline (here: the same figures, recorded from another commit).
        var baseline = try #require(repo.read(".evals/baseline.json"))
        baseline += "\n"
        try repo.write(".evals/baseline.json", baseline)
        try repo.commitAll("Edit the baseline")
        let rebased = try runBinary(["check"], in: repo.root, environment: Self.environment)
        #expect(rebased.status == 0, "\(rebased.stderr)")
        #expect(Self.decoded(rebased.stderr) != Self.nothing, "\(rebased.stderr)")
        // And a result written again (a new file) is decoded again.
        #expect(repo.evalguard("run", "--fresh").status == 0)
        #expect(
            Self.decoded(try runBinary(["check"], in: repo.root, environment: Self.environment).stderr) != Self.nothing)
        #expect(
            Self.decoded(try runBinary(["check"], in: repo.root, environment: Self.environment).stderr) == Self.nothing)
    }

    @Test func aRegressionIsNeverCachedAndAlwaysRecomputed() throws {
        let repo = try project()
        try repo.write("model.py", Models.echo(flipping: (1...10).map { "q\($0)" }))
        #expect(repo.evalguard("run").status == 0)
        for _ in 0..<2 {
            let check = try runBinary(["check"], in: repo.root, environment: Self.environment)
            #expect(check.status == 1, "\(check.stderr)")
            #expect(Self.decoded(check.stderr) != Self.nothing)
        }
        #expect(!repo.exists(".evals/results/verdicts"))
    }

    @Test func thePrePushHookPassesAgainDecodingNothing() throws {
        let repo = try project()
        let remote = repo.root + "-remote.git"
        defer { try? FileManager.default.removeItem(atPath: remote) }
        try repo.git("init", "-q", "--bare", "-b", "main", remote)
        try repo.git("remote", "add", "origin", remote)
        try repo.git("push", "-q", "origin", "main")
        let base = repo.head
        try repo.write("README.md", "docs only\n")
        try repo.commitAll("Docs")
        let stdin = "refs/heads/main \(repo.head) refs/heads/main \(base)\n"
        let binary = try #require(evalguardBinary())
        func hook() throws -> Shell.Result {
            try Shell.run(
                [binary.path, "hook", "pre-push", "origin", remote], in: repo.root, stdin: stdin,
                environment: Self.environment)
        }
        // The first push of the docs commit runs the model (README is an input); the second reuses
        // its stored result and keeps the verdict; the third decodes nothing.
        #expect(try hook().stderr.contains("pass against the baseline"))
        let first = try hook()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("the model did not run"))
        #expect(Self.decoded(first.stderr) != Self.nothing)
        let second = try hook()
        #expect(second.status == 0)
        #expect(Self.decoded(second.stderr) == Self.nothing, "\(second.stderr)")
        #expect(
            second.stderr.replacingOccurrences(of: Self.nothing, with: "")
                == first.stderr.replacingOccurrences(of: Self.decoded(first.stderr)!, with: ""))
    }

    @Test func theDigestCoversTheVersionAndEveryInput() throws {
        let repo = try project()
        let evaluator = Evaluator(repository: try Repository.discover(from: repo.root), environment: [:])
        let digest = try evaluator.verdictDigest(.workingTree, baselineBlob: "a", extra: ["x"])
        #expect(try evaluator.verdictDigest(.workingTree, baselineBlob: "a", extra: ["x"]) == digest)
        #expect(try evaluator.verdictDigest(.workingTree, baselineBlob: "a", extra: ["x"], version: "9.9.9") != digest)
        #expect(try evaluator.verdictDigest(.workingTree, baselineBlob: "b", extra: ["x"]) != digest)
        #expect(try evaluator.verdictDigest(.workingTree, baselineBlob: "a", extra: ["y"]) != digest)
        try repo.write("model.py", Models.echo(flipping: ["q1"]))
        #expect(
            try Evaluator(repository: try Repository.discover(from: repo.root), environment: [:])
                .verdictDigest(.workingTree, baselineBlob: "a", extra: ["x"]) != digest)
    }
}
