import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `git bisect run evalguard check --bisect` sides each commit by its cases' votes between the
/// ends git bisect knows, as blame does, and so names the planted commit on a long history with a
/// small suite (where comparing with the baseline left nearly every step inconclusive).
@Suite(.serialized) struct BisectVotesTests {
    @Test func gitBisectRunNamesThePlantedCommitOn1024Commits() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let binary = try #require(evalguardBinary())
        // A noisy case from the start; ten cases broken at the planted commit; one commit in four
        // changes a model input (a new evaluation key), the others docs.
        let plantAt = 700
        var changes: [SyntheticHistory.Change] = [.noise(["q1"])]
        changes += (1..<1024).map { i in
            i == plantAt ? .plant((5...14).map { "q\($0)" }) : i % 4 == 0 ? .tweak : .docs
        }
        let repo = try SyntheticHistory.make(changes, counter: counter)
        let shas = try repo.git("rev-list", "--reverse", "-n", "1024", "HEAD").split(separator: "\n").map(String.init)
        let planted = shas[plantAt]
        let good = try repo.git("rev-parse", "HEAD~1024")
        try repo.git("bisect", "start", "HEAD", good)
        let run = try Shell.run(["git", "bisect", "run", binary.path, "check", "--bisect"], in: repo.root)
        #expect(
            run.stdout.contains("\(planted) is the first bad commit"),
            "\(run.stdout.suffix(3000))\n\(run.stderr.suffix(2000))")
        let steps = run.stdout.components(separatedBy: "evalguard check --bisect: ").count - 1
        let skipped = run.stdout.components(separatedBy: "cannot be sided (skipped)").count - 1
        #expect(steps >= 10 && skipped <= 2, "\(steps) steps, \(skipped) skipped")
        try repo.git("bisect", "reset")
    }

    /// Outside a bisect session `check --bisect` still compares with the committed baseline.
    @Test func withoutABisectSessionTheBaselineDecides() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make([.plant((5...14).map { "q\($0)" })], counter: counter)
        let check = repo.evalguard("check", "--bisect")
        #expect(check.status == 1)
        #expect(!check.stdout.contains("case vote(s)"))
    }
}
