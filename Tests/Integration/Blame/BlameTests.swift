import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `evalguard blame` over synthetic histories with a regression planted at a known commit.
@Suite(.serialized) struct BlameTests {
    static let planted = ["q2", "q4", "q6", "q8", "q10"]

    func counterPath() -> String { NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)" }

    /// Three tweaks (new keys) for every docs commit (same key), the regression at `plantAt`.
    static func changes(_ count: Int, plantAt: Int) -> [SyntheticHistory.Change] {
        (0..<count).map { i in i == plantAt ? .plant(planted) : i % 4 == 3 ? .docs : .tweak }
    }

    func blameJSON(_ repo: ScratchRepository, _ arguments: String...) throws -> (Invocation, [String: JSONValue]) {
        try repo.evalguardJSON(["blame"] + arguments)
    }

    @Test func findsThePlantedCommitWithinLogBoundThenRunsNoModel() throws {
        let counter = counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make(Self.changes(300, plantAt: 190), counter: counter)
        let culprit = try repo.git("rev-list", "--reverse", "HEAD~300..HEAD").split(separator: "\n").map(String.init)[
            190]
        let (run, doc) = try blameJSON(repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(doc["status"]?.stringValue == "found")
        let found = try #require(doc["culprit"]?.objectValue)
        #expect(found["sha"]?.stringValue == culprit)
        #expect(found["subject"]?.stringValue == "Rework the parser")
        #expect(
            found["changed_inputs"]
                == .array([.object(["path": .string("model/bug.txt"), "change": .string("added")])]))
        let broke = try #require(found["pass_to_fail"]?.arrayValue)
        #expect(
            broke.compactMap { $0.objectValue?["input"]?.stringValue }.sorted()
                == Self.planted.map { "\"\($0)\"" }.sorted())
        #expect(found["before"]?.numberValue == 1 && found["after"]?.numberValue == 0.75)
        #expect(doc["commits_in_range"]?.numberValue == 300)
        let keys = try #require(doc["distinct_keys"]?.numberValue)
        let evaluations = try #require(doc["evaluations"]?.numberValue)
        #expect(evaluations <= (log2(keys)).rounded(.up) + 2, "\(evaluations) evaluations for \(keys) keys")
        #expect(Int(evaluations) == SyntheticHistory.starts(counter), "the count reported is the count run")

        // Everything the search needed is stored now: the same search runs no model.
        try? FileManager.default.removeItem(atPath: counter)
        let (again, second) = try blameJSON(repo)
        #expect(again.status == 0)
        #expect(second["culprit"]?.objectValue?["sha"]?.stringValue == culprit)
        #expect(second["evaluations"]?.numberValue == 0)
        #expect(SyntheticHistory.starts(counter) == 0)

        // The text report names the commit, the flipped cases and the cost.
        let text = repo.evalguard("blame", "--good", "HEAD~300")
        #expect(text.stdout.contains("First bad commit: \(culprit)"))
        #expect(text.stdout.contains("accuracy: 1.0000 at"))
        #expect(text.stdout.contains("Broke (pass → fail): 5 case(s)"))
        #expect(text.stdout.contains("modified  model/bug.txt") || text.stdout.contains("added     model/bug.txt"))
        #expect(text.stdout.contains("Cost: 0 model evaluation(s) for 300 commit(s)"))
    }

    /// A probe whose answers all come from stored results (only the settings changed) asked no
    /// model, so it is not counted as an evaluation.
    @Test func probesAnsweredFromStoredResultsAreNotCountedAsEvaluations() throws {
        let counter = counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let changes: [SyntheticHistory.Change] =
            Array(repeating: .settings, count: 7) + [.plant(Self.planted)] + Array(repeating: .settings, count: 7)
        let repo = try SyntheticHistory.make(changes, counter: counter)
        let culprit = try repo.git("rev-list", "--reverse", "HEAD~15..HEAD").split(separator: "\n").map(String.init)[7]
        let (run, doc) = try blameJSON(repo, "--good", "HEAD~15")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(doc["culprit"]?.objectValue?["sha"]?.stringValue == culprit)
        #expect(
            doc["evaluations"]?.numberValue == Double(SyntheticHistory.starts(counter)),
            "the count reported is the count run")
        #expect(SyntheticHistory.starts(counter) == 2, "the two ends ran; every other probe reused their answers")
    }

    @Test func aDropWithinNoiseIsStillSearchedAndSaidToBeUncertain() throws {
        let counter = counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        // Three of twenty cases: beyond max_drop, but not significant (p = 0.125): inconclusive.
        var changes = Self.changes(30, plantAt: 18)
        changes[18] = .plant(["q2", "q4", "q6"])
        let repo = try SyntheticHistory.make(changes, counter: counter)
        let culprit = try repo.git("rev-list", "--reverse", "HEAD~30..HEAD").split(separator: "\n").map(String.init)[18]
        let (run, doc) = try blameJSON(repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(doc["culprit"]?.objectValue?["sha"]?.stringValue == culprit)
        #expect(doc["note"]?.stringValue?.contains("within noise") == true)
    }

    @Test func aPassingStoredResultAtTheGoodEndItselfDoesNotEmptyTheRange() throws {
        let counter = counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make(Self.changes(20, plantAt: 12), counter: counter)
        let shas = try repo.git("rev-list", "--reverse", "HEAD~21..HEAD").split(separator: "\n").map(String.init)
        // The good end (the baseline commit) passes; the only other stored result, HEAD's, fails.
        #expect(repo.evalguard("run", "--commit", shas[0]).status == 0)
        #expect(repo.evalguard("run", "--commit", "HEAD").status == 0)
        let (run, doc) = try blameJSON(repo)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(doc["status"]?.stringValue == "found")
        #expect(doc["culprit"]?.objectValue?["sha"]?.stringValue == shas[13])
    }

    @Test func everyCommitStoredCostsNothingAndDefaultsGoodToTheLastPassingOne() throws {
        let counter = counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make(Self.changes(24, plantAt: 13), counter: counter)
        for sha in try repo.git("rev-list", "HEAD~24..HEAD").split(separator: "\n") {
            #expect(repo.evalguard("run", "--commit", String(sha)).status == 0)
        }
        try? FileManager.default.removeItem(atPath: counter)
        let (run, doc) = try blameJSON(repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(doc["evaluations"]?.numberValue == 0)
        #expect(SyntheticHistory.starts(counter) == 0)
        #expect(doc["culprit"]?.objectValue?["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD~10")))
        #expect(doc["good"]?.objectValue?["sha"]?.stringValue == (try repo.git("rev-parse", "HEAD~11")))
        #expect(
            doc["good_reason"]?.stringValue?.contains("stored result has no gated metric beyond its threshold") == true)
    }

    @Test func skippedCommitsLeaveEveryCandidateListed() throws {
        let counter = counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        // Broken from 29 to 30, planted at 30, repaired at 31: 29, 30 and 31 may each be the culprit.
        var changes = Self.changes(40, plantAt: 30)
        changes[29] = .breakModel(true)
        changes[31] = .breakModel(false)
        let repo = try SyntheticHistory.make(changes, counter: counter)
        let shas = try repo.git("rev-list", "--reverse", "HEAD~40..HEAD").split(separator: "\n").map(String.init)
        let (run, doc) = try blameJSON(repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(doc["status"]?.stringValue == "ambiguous")
        let candidates = try #require(doc["candidates"]?.arrayValue).compactMap { $0.objectValue?["sha"]?.stringValue }
        #expect(candidates == Array(shas[29...31]))
        let skipped = try #require(doc["skipped"]?.arrayValue).compactMap { $0.objectValue?["commit"]?.stringValue }
        #expect(Set(skipped) == [shas[29], shas[30]])
        let text = repo.evalguard("blame")
        #expect(text.stdout.contains("The first bad commit could be any of"))
        #expect(text.stdout.contains("Skipped (could not be evaluated)"))
    }

    @Test func aMergeCommitInTheRangeIsNamedWithItsSecondParent() throws {
        let counter = counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make(Self.changes(10, plantAt: -1), counter: counter)
        try repo.git("branch", "feature")
        try SyntheticHistory.append([.tweak, .plant(Self.planted), .docs], to: repo, branch: "feature")
        try SyntheticHistory.append(Self.changes(6, plantAt: -1), to: repo)
        try repo.git("merge", "-q", "--no-ff", "-X", "theirs", "-m", "Merge feature", "feature")
        try SyntheticHistory.append(Self.changes(8, plantAt: -1), to: repo)
        let merge = try repo.git("rev-parse", "HEAD~8")
        let (run, doc) = try blameJSON(repo)
        #expect(run.status == 0, "\(run.stderr)")
        let culprit = try #require(doc["culprit"]?.objectValue)
        #expect(culprit["sha"]?.stringValue == merge)
        #expect(culprit["merged_parent"]?.stringValue == (try repo.git("rev-parse", "feature")))
        // Following the hint narrows it to the commit on the branch.
        let (_, narrowed) = try blameJSON(repo, "--good", "feature~3", "--bad", "feature")
        #expect(narrowed["culprit"]?.objectValue?["sha"]?.stringValue == (try repo.git("rev-parse", "feature~1")))
    }

    @Test func aRangeWithoutRegressionExitsOne() throws {
        let counter = counterPath()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make(Self.changes(12, plantAt: -1), counter: counter)
        let (run, doc) = try blameJSON(repo)
        #expect(run.status == 1)
        #expect(doc["status"]?.stringValue == "no_regression")
        let docsOnly = try SyntheticHistory.append([.docs, .docs], to: repo)
        let same = repo.evalguard("blame", "--good", "HEAD~2")
        #expect(same.status == 1)
        #expect(same.stdout.contains("nothing the model depends on changed"), "\(docsOnly)")
    }

    @Test func badUsageExitsTwo() throws {
        let repo = try SyntheticHistory.make(Self.changes(3, plantAt: 1), counter: counterPath())
        #expect(repo.evalguard("blame", "--metric", "accuracyy").status == 2)
        #expect(repo.evalguard("blame", "--suite", "nope").status == 2)
        #expect(repo.evalguard("blame", "--good", "HEAD", "--bad", "HEAD~1").status == 2)
        #expect(repo.evalguard("blame", "--retries", "-1").status == 2)
    }
}
