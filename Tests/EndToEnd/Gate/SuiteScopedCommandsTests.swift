import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore
@testable import EvalGuardSupport

/// The two-feature repository of `PerSuiteReuseTests` as its users drive it: `git push` through the
/// installed pre-push hook to a bare remote, `evalguard ci` on a feature branch, and `--suite` on
/// `baseline` and `ci`. Each counts the requests both models received.
@Suite(.serialized) struct SuiteScopedCommandsTests {
    /// The fixture with a committed baseline, pushed to a bare remote, and the hook installed.
    final class Pushed {
        let f: PerSuiteReuseFixture
        let remote = NSTemporaryDirectory() + "evalguard-remote-\(UUID().uuidString).git"

        init() throws {
            f = try PerSuiteReuseFixture()
            let baseline = f.repo.evalguard("baseline")
            #expect(baseline.status == 0, "\(baseline.stderr)")
            try f.repo.commitAll("Record the baseline")
            try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
            try f.repo.git("remote", "add", "origin", remote)
            try f.repo.git("push", "-q", "--no-verify", "-u", "origin", "main")
            try f.repo.git("remote", "set-head", "origin", "main")
            let install = try runBinary(["install-hook"], in: f.repo.root)
            #expect(install.status == 0, "\(install.stderr)")
        }

        deinit { try? FileManager.default.removeItem(atPath: remote) }

        /// Commits, pushes through the hook; the push's result and the requests each model got.
        func commitAndPush(_ message: String) throws -> (push: Shell.Result, http: Int, command: Int) {
            try f.repo.commitAll(message)
            let (h, c) = (f.httpRequests, f.commandRequests)
            let push = try Shell.run(["git", "push", "origin", "main"], in: f.repo.root)
            return (push, f.httpRequests - h, f.commandRequests - c)
        }
    }

    @Test func thePrePushHookAsksOnlyTheModelWhoseInputsChanged() throws {
        let p = try Pushed()
        try p.f.repo.write("classifier/keywords.json", #"["outage", "down", "broken"]"#)
        let keywords = try p.commitAndPush("more keywords")
        #expect(keywords.push.status == 0, "\(keywords.push.stderr)")
        #expect(keywords.http == 0 && keywords.command == 4)

        try p.f.writeConfig(comment: "Owned by the backend team.", accuracyDrop: 0.05)
        try p.f.repo.write(
            ".evals/prices.json", #"{"gpt-4o-mini": {"input_per_million": 0.3, "output_per_million": 1.25}}"#)
        let settings = try p.commitAndPush("a threshold, a comment and new prices")
        #expect(settings.push.status == 0, "\(settings.push.stderr)")
        #expect(settings.http == 0 && settings.command == 0)

        try p.f.repo.write("prompts/router_system.txt", "Route the ticket to exactly one team.\n")
        let prompt = try p.commitAndPush("sharper prompt")
        #expect(prompt.push.status == 0, "\(prompt.push.stderr)")
        #expect(prompt.http == 6 && prompt.command == 0)
    }

    @Test func ciOnAFeatureBranchFollowsTheSameRules() throws {
        let p = try Pushed()
        try p.f.repo.git("checkout", "-q", "-b", "feature")
        try p.f.writeConfig(comment: "Thresholds reviewed.", accuracyDrop: 0.05)
        try p.f.repo.write(
            ".evals/prices.json", #"{"gpt-4o-mini": {"input_per_million": 0.3, "output_per_million": 1.25}}"#)
        try p.f.repo.commitAll("thresholds and prices")
        let (h, c) = (p.f.httpRequests, p.f.commandRequests)
        let ci = p.f.repo.evalguard("ci", "--no-fetch", "--base", "main")
        #expect(ci.status == 0, "\(ci.stdout)\n\(ci.stderr)")
        // Nothing runs but ci's audit of the reused answers: every case of suites this small.
        #expect(p.f.httpRequests == h + 6 && p.f.commandRequests == c + 4)
        #expect(
            ci.stdout.contains("audit: 10 of 10 reused cases re-run, 10 matched: stored answers kept"), "\(ci.stdout)")
        #expect(ci.stderr.contains("re-priced"), "\(ci.stderr)")

        try p.f.repo.write("classifier/keywords.json", #"["outage"]"#)
        try p.f.repo.commitAll("fewer keywords")
        let second = p.f.repo.evalguard("ci", "--no-fetch", "--base", "main")
        #expect(
            second.status == 0 && second.stdout.contains("inconclusive"),
            "two of four cases flipped: too few to call \(second.stdout)")
        // The priority suite runs; the router's reused answers are audited.
        #expect(p.f.httpRequests == h + 12 && p.f.commandRequests == c + 8)
    }

    @Test func ciWithSuiteEvaluatesAndGatesThatSuiteAlone() throws {
        let p = try Pushed()
        try p.f.repo.git("checkout", "-q", "-b", "feature")
        try p.f.repo.write("prompts/router_system.txt", "A new prompt.\n")
        try p.f.repo.write("classifier/keywords.json", #"["outage", "down", "broken"]"#)
        try p.f.repo.commitAll("both features change")
        let (h, c) = (p.f.httpRequests, p.f.commandRequests)
        let ci = p.f.repo.evalguard("ci", "--no-fetch", "--base", "main", "--suite", "priority")
        #expect(ci.status == 0, "\(ci.stdout)\n\(ci.stderr)")
        #expect(p.f.httpRequests == h, "the router was not asked")
        #expect(p.f.commandRequests == c + 4)
        #expect(ci.stdout.contains("priority") && !ci.stdout.contains("router"), "\(ci.stdout)")
        let unknown = p.f.repo.evalguard("ci", "--no-fetch", "--base", "main", "--suite", "routr")
        #expect(unknown.status == 2 && unknown.stderr.contains("routr"), "\(unknown.stderr)")
    }

    @Test func baselineWithSuiteRecordsThatSuiteAndKeepsTheOthersLineForLine() throws {
        let p = try Pushed()
        let before = try #require(p.f.repo.read(Baseline.path))
        try p.f.repo.write("prompts/router_system.txt", "A new prompt.\n")
        try p.f.repo.write("classifier/keywords.json", #"["nothing"]"#)
        try p.f.repo.commitAll("both features change")
        let (h, c) = (p.f.httpRequests, p.f.commandRequests)
        let run = p.f.repo.evalguard("baseline", "--suite", "priority")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("kept as they were: router"), "\(run.stdout)")
        #expect(p.f.httpRequests == h && p.f.commandRequests == c + 4)
        let after = try #require(p.f.repo.read(Baseline.path))
        let old = try Baseline.parse(Array(before.utf8), displayPath: Baseline.path)
        let new = try Baseline.parse(Array(after.utf8), displayPath: Baseline.path)
        #expect(new.suites["router"]?.cases == old.suites["router"]?.cases)
        #expect(new.suites["router"]?.latenciesMs == old.suites["router"]?.latenciesMs)
        #expect(new.suites["router"]?.fromCommit == old.fromCommit, "the kept suite names where it was recorded")
        #expect(new.suites["priority"]?.fromCommit == nil && new.fromCommit == p.f.repo.head)
        #expect(
            new.suites["priority"]?.cases.values.filter(\.passed).count == 2, "the new keywords make 'high' cases fail")
        #expect(new.overall.cases == 10)
        // The router's lines do not move in the diff: only priority's cases and the metrics do.
        let diff = try p.f.repo.git("diff", "--", Baseline.path)
        #expect(!diff.contains("\"r0\""), "\(diff)")
    }

    @Test func baselineWithSuiteNeedsABaselineToUpdate() throws {
        let f = try PerSuiteReuseFixture()
        let run = f.repo.evalguard("baseline", "--suite", "priority")
        #expect(run.status == 2 && run.stderr.contains("evalguard baseline"), "\(run.stderr)")
        #expect(f.commandRequests == 0 && f.httpRequests == 0)
    }
}
