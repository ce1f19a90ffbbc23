import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardGate
@testable import EvalGuardGit

/// evalguard under the pre-commit framework (https://pre-commit.com): the configuration a user
/// pastes, pointing at a repository that holds this package's .pre-commit-hooks.yaml, installed
/// with `pre-commit install --hook-type pre-push`, pushing to a bare remote.
@Suite struct PreCommitTests {
    static let preCommit: String? = {
        guard let found = try? Shell.run(["sh", "-c", "command -v pre-commit"]), found.status == 0 else { return nil }
        return found.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    final class Setup {
        let root = NSTemporaryDirectory() + "evalguard-precommit-\(UUID().uuidString)"
        var remote: String { root + "/remote.git" }
        let repo: ScratchRepository
        let cases = (1...20).map { caseLine("c\($0)", "q\($0)") }
        let environment: [String: String]

        init() throws {
            let hooksRepository = root + "/evalguard-hooks"
            try FileManager.default.createDirectory(atPath: hooksRepository, withIntermediateDirectories: true)
            // The hook repository: this package's .pre-commit-hooks.yaml, committed.
            try FileManager.default.copyItem(
                atPath: CIProject.packageRoot + "/.pre-commit-hooks.yaml",
                toPath: hooksRepository + "/.pre-commit-hooks.yaml")
            for command in [
                ["init", "-q", "-b", "main"], ["add", "-A"],
                ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "hooks"],
            ] {
                #expect(try Shell.run(["git"] + command, in: hooksRepository).status == 0)
            }
            let rev = try Shell.run(["git", "rev-parse", "HEAD"], in: hooksRepository).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
            // pre-commit's cache in the test's directory; evalguard (the built one) on PATH.
            let binary = try #require(evalguardBinary())
            var environment = ProcessInfo.processInfo.environment
            environment["PRE_COMMIT_HOME"] = root + "/pre-commit-home"
            environment["PATH"] =
                binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            self.environment = environment

            repo = try ScratchRepository()
            _ = try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
            try repo.setUpEvals(model: Models.echo(), cases: cases, modelConfig: ", \"inputs\": [\"model.py\"]")
            try repo.write(
                ".pre-commit-config.yaml",
                """
                repos:
                  - repo: \(hooksRepository)
                    rev: \(rev)
                    hooks:
                      - id: evalguard

                """)
            try repo.commitAll("Add evals and pre-commit")
            #expect(repo.evalguard("baseline").status == 0)
            try repo.commitAll("Record the baseline")
            try repo.git("remote", "add", "origin", remote)
            try repo.git("push", "-q", "-u", "origin", "main")
            try repo.git("remote", "set-head", "origin", "main")
            let install = try Shell.run(
                ["pre-commit", "install", "--hook-type", "pre-push"], in: repo.root, environment: environment)
            #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        func push(_ arguments: String...) throws -> Shell.Result {
            try Shell.run(["git", "push"] + arguments, in: repo.root, environment: environment)
        }

        func remoteHead(_ branch: String = "main") throws -> String {
            try Shell.run(["git", "--git-dir", remote, "rev-parse", branch]).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
        }
    }

    @Test(.enabled(if: preCommit != nil, "skipped: pre-commit is not on PATH (pip install pre-commit)"))
    func aRegressingPushIsBlockedAndAGoodOnePasses() throws {
        let s = try Setup()
        let before = try s.remoteHead()
        try s.repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"]))
        try s.repo.commitAll("Make the model worse")
        let blocked = try s.push("origin", "main")
        let output = blocked.stdout + blocked.stderr
        #expect(blocked.status != 0, "\(output)")
        #expect(output.contains("evalguard (evals against the baseline)"))
        #expect(output.contains("REGRESSION"))
        #expect(output.contains("6 case(s) regressed (pass → fail)"))
        #expect(output.contains("origin/main at \(before.prefix(7))"), "measured from the remote's tip: \(output)")
        // The framework skips a hook by its id: the way around names it.
        #expect(output.contains("push anyway: SKIP=evalguard git push (or git push --no-verify)"), "\(output)")
        #expect(try s.remoteHead() == before)

        try s.repo.write("model.py", Models.echo())
        try s.repo.write(".evals/cases/main.jsonl", (s.cases + [caseLine("c21", "q21")]).joined(separator: "\n") + "\n")
        try s.repo.commitAll("Restore the model, add a case")
        let passed = try s.push("origin", "main")
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
        #expect((passed.stdout + passed.stderr).contains("evalguard (evals against the baseline)...."))
        #expect((passed.stdout + passed.stderr).contains("Passed"))
        #expect(try s.remoteHead() == s.repo.head)
    }

    @Test(.enabled(if: preCommit != nil, "skipped: pre-commit is not on PATH (pip install pre-commit)"))
    func aNewBranchIsMeasuredFromTheMergeBaseWithTheDefaultBranch() throws {
        let s = try Setup()
        try s.repo.git("checkout", "-q", "-b", "feature")
        try s.repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"]))
        try s.repo.commitAll("Make the model worse")
        let blocked = try s.push("-u", "origin", "feature")
        let output = blocked.stdout + blocked.stderr
        #expect(blocked.status != 0, "\(output)")
        #expect(output.contains("REGRESSION"))
        #expect(output.contains("the merge-base"), "\(output)")
        #expect(try Shell.run(["git", "--git-dir", s.remote, "rev-parse", "--verify", "-q", "feature"]).status != 0)
    }
}

/// The PRE_COMMIT_* variables, read in-process: no pre-commit needed.
@Suite struct PreCommitPushTests {
    @Test func thePushComesFromTheVariablesAndStdinIsNotRead() throws {
        let repo = try ScratchRepository()
        let remote = NSTemporaryDirectory() + "evalguard-pc-remote-\(UUID().uuidString).git"
        defer { try? FileManager.default.removeItem(atPath: remote) }
        _ = try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
        try repo.setUpEvals(model: Models.echo(), cases: (1...10).map { caseLine("c\($0)", "q\($0)") })
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        try repo.git("remote", "add", "upstream", remote)
        try repo.git("push", "-q", "upstream", "main")
        let base = repo.head
        try repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"]))
        try repo.commitAll("Regress")
        let (console, captured) = Console.capturing()
        let status = CLI.run(
            arguments: ["hook", "pre-push"], console: console,
            environment: [
                "PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": repo.head,
                "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main", "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main",
                "PRE_COMMIT_REMOTE_NAME": "upstream", "PRE_COMMIT_REMOTE_URL": remote,
            ], workingDirectory: repo.root,
            standardInput: {
                Issue.record("stdin was read although PRE_COMMIT_* describe the push")
                return ""
            })
        #expect(status == 1, "\(captured.stderr)")
        #expect(captured.stderr.contains("upstream/main at \(base.prefix(7))"))
        #expect(captured.stderr.contains("REGRESSION"))
    }

    @Test func withoutTheVariablesGitsInputIsRead() throws {
        let repo = try ScratchRepository()
        #expect(
            try PreCommitPush(
                environment: ["PRE_COMMIT_REMOTE_URL": "x"], repository: Repository.discover(from: repo.root)) == nil)
        let (console, captured) = Console.capturing()
        let status = CLI.run(
            arguments: ["hook", "pre-push", "origin", "url"], console: console, environment: [:],
            workingDirectory: repo.root, standardInput: { "not a pre-push line\n" })
        #expect(status == 2)
        #expect(captured.stderr.contains("unexpected pre-push input line: 'not a pre-push line'"))
    }
}
