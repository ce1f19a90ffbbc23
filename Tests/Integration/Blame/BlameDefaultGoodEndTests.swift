import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// Where `evalguard blame` starts when no `--good` is given: a stored result that is within every
/// gated threshold as measured, a drop beyond a threshold counting even when it is within noise.
@Suite(.serialized) struct BlameDefaultGoodEndTests {
    @Test func aStoredResultWithADropWithinNoiseIsNotTakenForTheGoodEnd() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        // Three of twenty cases: beyond max_drop, but not significant: inconclusive, not a regression.
        var changes = BlameTests.changes(30, plantAt: 18)
        changes[18] = .plant(["q2", "q4", "q6"])
        let repo = try SyntheticHistory.make(changes, counter: counter)
        let shas = try repo.git("rev-list", "--reverse", "HEAD~30..HEAD").split(separator: "\n").map(String.init)
        // Before the culprit a stored result within the thresholds; after it, one with the drop.
        #expect(repo.evalguard("run", "--commit", shas[6]).status == 0)
        #expect(repo.evalguard("run", "--commit", shas[24]).status == 0)

        let (run, doc) = try repo.evalguardJSON(["blame"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(doc["status"]?.stringValue == "found")
        #expect(doc["culprit"]?.objectValue?["sha"]?.stringValue == shas[18])
        // shas[7] changes only docs: it shares shas[6]'s key and result, and is the newest of them.
        #expect(doc["good"]?.objectValue?["sha"]?.stringValue == shas[7])
        let reason =
            "the most recent commit whose stored result has no gated metric beyond its threshold (significant or not) against the baseline committed at HEAD"
        #expect(doc["good_reason"]?.stringValue == reason)
        let text = repo.evalguard("blame")
        #expect(text.status == 0)
        #expect(text.stdout.contains("(good: \(reason))"))
    }

    @Test func withoutAStoredResultWithinTheThresholdsTheGoodEndIsTheBaselineChange() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        var changes = BlameTests.changes(30, plantAt: 18)
        changes[18] = .plant(["q2", "q4", "q6"])
        let repo = try SyntheticHistory.make(changes, counter: counter)
        let shas = try repo.git("rev-list", "--reverse", "HEAD~31..HEAD").split(separator: "\n").map(String.init)
        #expect(repo.evalguard("run", "--commit", shas[25]).status == 0)

        let (run, doc) = try repo.evalguardJSON(["blame"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(doc["culprit"]?.objectValue?["sha"]?.stringValue == shas[19])
        #expect(doc["good"]?.objectValue?["sha"]?.stringValue == shas[0])
        #expect(
            doc["good_reason"]?.stringValue
                == "the commit that last changed .evals/baseline.json (no stored result since has every gated metric within its threshold)"
        )
    }
}
