import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGate
@testable import EvalGuardSupport

/// `git push` through the installed hook to a bare remote, as a user meets it.
@Suite struct PrePushTests {
    /// A clone with evals, a committed baseline, the hook installed, and `main` pushed.
    final class Setup {
        let remote: String
        let repo: ScratchRepository
        let counter: String
        let cases = (1...20).map { caseLine("c\($0)", "q\($0)") }

        init(extraConfig: String = "", existingHook: String? = nil) throws {
            remote = NSTemporaryDirectory() + "evalguard-remote-\(UUID().uuidString).git"
            counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
            repo = try ScratchRepository()
            try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
            try repo.setUpEvals(
                model: Models.echo(counter: counter), cases: cases,
                extraConfig: """
                    "thresholds": {"p95_latency_ms": false}\(extraConfig)
                    """, modelConfig: ", \"inputs\": [\"model.py\"]")
            try repo.commitAll("Add evals")
            #expect(repo.evalguard("baseline").status == 0)
            try repo.commitAll("Record the baseline")
            try repo.git("remote", "add", "origin", remote)
            try repo.git("push", "-q", "-u", "origin", "main")
            try repo.git("remote", "set-head", "origin", "main")
            if let existingHook {
                try repo.write(".git/hooks/pre-push", existingHook)
                chmod(repo.path(".git/hooks/pre-push"), 0o755)
            }
            let install = try runBinary(["install-hook"], in: repo.root)
            #expect(install.status == 0, "\(install.stderr)")
        }

        deinit {
            try? FileManager.default.removeItem(atPath: remote)
            try? FileManager.default.removeItem(atPath: counter)
        }

        /// How many times the model has started or answered.
        var modelActivity: Int {
            ((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        func push(_ arguments: String...) throws -> Shell.Result {
            try Shell.run(["git", "push"] + arguments, in: repo.root)
        }

        func remoteHead(_ branch: String = "main") throws -> String {
            try Shell.run(["git", "--git-dir", remote, "rev-parse", branch], in: repo.root).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test func aRegressingCommitIsRejectedWithTheVerdictTable() throws {
        let s = try Setup()
        let before = try s.remoteHead()
        try s.repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"]))
        try s.repo.commitAll("Make the model worse")
        let push = try s.push("origin", "main")
        #expect(push.status != 0)
        #expect(push.stderr.contains("REGRESSION"))
        #expect(push.stderr.contains("6 case(s) regressed (pass → fail)"))
        #expect(push.stderr.contains("c1  expected \"q1\"  got \"wrong\""))
        #expect(push.stderr.contains("evalguard blocked this push: main accuracy regressed beyond its threshold."))
        #expect(
            push.stderr.contains(
                "details:     evalguard check --commit \(s.repo.head.prefix(7)) --against \(before.prefix(7))"))
        #expect(push.stderr.contains("push anyway: git push --no-verify"))
        #expect(try s.remoteHead() == before)
        #expect(try s.push("--no-verify", "origin", "main").status == 0)
    }

    @Test func aGoodCommitIsAccepted() throws {
        let s = try Setup()
        try s.repo.write(".evals/cases/main.jsonl", (s.cases + [caseLine("c21", "q21")]).joined(separator: "\n") + "\n")
        try s.repo.commitAll("Add a case")
        let push = try s.push("origin", "main")
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stderr.contains("refs/heads/main \(s.repo.head.prefix(7)) → refs/heads/main: pass"))
        #expect(try s.remoteHead() == s.repo.head)
    }

    @Test func aDocsOnlyCommitIsDecidedWithoutRunningTheModel() throws {
        let s = try Setup()
        let activity = s.modelActivity
        #expect(activity > 0)
        try s.repo.write("docs/usage.md", "How to use the feature.\n")
        try s.repo.commitAll("Document the feature")
        let push = try s.push("origin", "main")
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stderr.contains("reused; the model did not run"))
        #expect(s.modelActivity == activity, "the model ran for a docs-only change")
    }

    @Test func aNewBranchIsComparedWithItsMergeBase() throws {
        let s = try Setup()
        try s.repo.git("checkout", "-q", "-b", "feature")
        try s.repo.write("model.py", Models.echo(flipping: ["q5", "q6", "q7", "q8", "q9", "q10"]))
        try s.repo.commitAll("Break six cases")
        let push = try s.push("-u", "origin", "feature")
        #expect(push.status != 0)
        #expect(push.stderr.contains("merge-base"))
        #expect(push.stderr.contains("c5"))
    }

    @Test func aBranchDeletionIsLetThrough() throws {
        let s = try Setup()
        try s.repo.git("push", "-q", "--no-verify", "origin", "main:doomed")
        let push = try s.push("origin", "--delete", "doomed")
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stderr.contains("deletes refs/heads/doomed"))
    }

    @Test func aLoweredBaselineIsAnnouncedAndJudgedAgainstTheNewOne() throws {
        let s = try Setup()
        try s.repo.write("model.py", Models.echo(flipping: ["q1", "q2"]))
        #expect(s.repo.evalguard("baseline").status == 0)
        try s.repo.commitAll("Accept two failing cases")
        let push = try s.push("origin", "main")
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stderr.contains("this push changes .evals/baseline.json"))
        #expect(push.stderr.contains("by evalguard test <test@example.com>: \"Accept two failing cases\""))
        #expect(push.stderr.contains("main: accuracy 1.0000 → 0.9000"))
    }

    @Test func aBaselineChangeIsBlockedWhenTheConfigSaysSo() throws {
        let s = try Setup(extraConfig: ",\n\"baseline_changes\": \"block\"")
        try s.repo.write("model.py", Models.echo(flipping: ["q1", "q2"]))
        s.repo.evalguard("baseline")
        try s.repo.commitAll("Accept two failing cases")
        let push = try s.push("origin", "main")
        #expect(push.status != 0)
        #expect(
            push.stderr.contains(
                "it changes the baseline, and .evals/evalguard.json says \"baseline_changes\": \"block\""))
    }

    @Test func anExistingHookIsKeptAndStillRuns() throws {
        let log = NSTemporaryDirectory() + "evalguard-hooklog-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let s = try Setup(existingHook: "#!/bin/sh\ncat > /dev/null\necho \"lint ran for $1\" >> \(log)\n")
        #expect(s.repo.exists(".git/hooks/pre-push.before-evalguard"))
        try s.repo.write("model.py", Models.echo(flipping: ["q1", "q2", "q3", "q4", "q5", "q6"]))
        try s.repo.commitAll("Make the model worse")
        let push = try s.push("origin", "main")
        #expect(push.status != 0)
        #expect(push.stderr.contains("evalguard blocked this push"))
        #expect((try? String(contentsOfFile: log, encoding: .utf8)) == "lint ran for origin\n")
        // A failing earlier hook stops the push before evalguard runs.
        try s.repo.write(".git/hooks/pre-push.before-evalguard", "#!/bin/sh\necho 'lint failed' >&2\nexit 4\n")
        chmod(s.repo.path(".git/hooks/pre-push.before-evalguard"), 0o755)
        let blocked = try s.push("origin", "main")
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("lint failed"))
        #expect(!blocked.stderr.contains("evalguard blocked") && !blocked.stderr.contains("evalguard:"))
    }

    @Test func installHookRespectsCoreHooksPathAndIsIdempotent() throws {
        let repo = try ScratchRepository()
        try repo.git("config", "core.hooksPath", "githooks")
        #expect(
            try runBinary(["install-hook"], in: repo.root).stdout.contains(
                "installed the pre-push hook: \(repo.root)/githooks/pre-push"))
        #expect(try runBinary(["install-hook"], in: repo.root).stdout.contains("updated the pre-push hook"))
        #expect(repo.read("githooks/pre-push")?.contains(HookScript.marker) == true)
        // The hook finds this evalguard by its absolute path, even where PATH lacks it.
        let binary = try #require(evalguardBinary()).resolvingSymlinksInPath().path
        #expect(repo.read("githooks/pre-push")?.contains("evalguard=\"${EVALGUARD:-\(binary)}\"") == true)
    }

    @Test func aMissingEvalguardBlocksWithWhatToDo() throws {
        let repo = try ScratchRepository()
        try repo.write("hook.sh", HookScript.text(evalguard: "/nonexistent/evalguard"))
        let run = try Shell.run(
            ["/bin/sh", repo.path("hook.sh"), "origin", "url"], in: repo.root, stdin: "",
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("evalguard is not installed or not on PATH"))
        #expect(run.stderr.contains("git push --no-verify"))
    }

    @Test func theCommittedHookIsTheInstalledOne() throws {
        let source = URL(fileURLWithPath: TestPaths.packageRoot)
        let committed = try String(contentsOf: source.appendingPathComponent("hooks/pre-push"), encoding: .utf8)
        #expect(committed == HookScript.text())
    }

    @Test func pushedRefsAreParsedIncludingDeletionsAndNewBranches() throws {
        let zero = String(repeating: "0", count: 40)
        let a = String(repeating: "a", count: 40)
        let refs = try PushedRef.parse("refs/heads/x \(a) refs/heads/x \(zero)\n(delete) \(zero) refs/heads/y \(a)\n\n")
        #expect(refs.count == 2)
        #expect(refs[0].isNewRef && !refs[0].isDeletion)
        #expect(refs[1].isDeletion)
        #expect(throws: EvalGuardError.self) { try PushedRef.parse("garbage\n") }
    }
}
