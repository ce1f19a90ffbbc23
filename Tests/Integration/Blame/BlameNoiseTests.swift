import EvalGuardTestSupport
import Foundation
import Testing

/// A model whose answers flip at random on a few cases: blame must never name a commit outside
/// the planted change, and must say so when it cannot be sure.
@Suite struct BlameNoiseTests {
    @Test(arguments: [1, 2])
    func aNoisyModelNeverMisleadsBlame(round: Int) throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        // Two noisy cases from the start; ten cases broken at the planted commit (five times the noise).
        var changes: [SyntheticHistory.Change] = [.noise(["q1", "q3"])]
        changes += (0..<40).map { i in
            i == 23 ? .plant(["q5", "q6", "q7", "q8", "q9", "q10", "q11", "q12", "q13", "q14"]) : .tweak
        }
        let repo = try SyntheticHistory.make(changes, counter: counter)
        let planted = try repo.git("rev-parse", "HEAD~16")
        let (run, doc) = try repo.evalguardJSON(["blame", "--good", "HEAD~40", "--retries", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        switch doc["status"]?.stringValue {
        case "found":
            #expect(doc["culprit"]?.objectValue?["sha"]?.stringValue == planted, "\(run.stderr)")
        case "ambiguous":
            let candidates = doc["candidates"]?.arrayValue?.compactMap { $0.objectValue?["sha"]?.stringValue } ?? []
            #expect(candidates.contains(planted), "\(run.stderr)")
            #expect(!(doc["uncertain"]?.arrayValue ?? []).isEmpty)
        default:
            Issue.record("unexpected answer: \(run.stdout)")
        }
    }

    @Test func aProbeWithinNoiseIsEvaluatedAgainAndReportedUncertain() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        // The middle commit answers the two planted cases at random: it cannot side reliably.
        let repo = try SyntheticHistory.make(
            [.tweak, .noise(["q5", "q6", "q7", "q8", "q9", "q10"]), .plant(["q5", "q6", "q7", "q8", "q9", "q10"])],
            counter: counter)
        let (run, doc) = try repo.evalguardJSON(["blame", "--good", "HEAD~3", "--retries", "1"])
        #expect(run.status == 0)
        let middle = try repo.git("rev-parse", "HEAD~1")
        if doc["status"]?.stringValue == "ambiguous" {
            #expect(
                doc["uncertain"]?.arrayValue?.first?.objectValue?["reason"]?.stringValue?.contains("after 1 retry")
                    == true)
            #expect(doc["uncertain"]?.arrayValue?.first?.objectValue?["commit"]?.stringValue == middle)
            // Left uncertain, the middle commit and the one after it are both candidates, and only they.
            let candidates = doc["candidates"]?.arrayValue?.compactMap { $0.objectValue?["sha"]?.stringValue } ?? []
            #expect(Set(candidates) == [middle, repo.head])
        } else {
            // The coin came up lopsided on both tries: then it sides and names one of the two.
            let named = doc["culprit"]?.objectValue?["sha"]?.stringValue
            #expect(named == middle || named == repo.head)
        }
    }
}
