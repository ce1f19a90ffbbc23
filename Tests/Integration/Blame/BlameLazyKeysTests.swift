import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardBlame
@testable import EvalGuardGit
@testable import EvalGuardHistory
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// With every commit's result stored, blame reads evaluation keys only for the commits it probes
/// (and the ends), not for every commit of the range: stored results narrow the range first.
@Suite(.serialized) struct BlameLazyKeysTests {
    static let commits = 300, plantAt = 190

    /// A 300-commit history with a result stored for every commit (as `evalguard run --commit`
    /// stores one: file, key index and note), copied from the ends' real results with each
    /// commit's own key. Returns the repository, the commits from the good end on, and the counter.
    func everythingStored() throws -> (ScratchRepository, [String], String) {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        let repo = try SyntheticHistory.make(BlameTests.changes(Self.commits, plantAt: Self.plantAt), counter: counter)
        let shas = try repo.git("rev-list", "--reverse", "HEAD~\(Self.commits + 1)..HEAD").split(separator: "\n").map(
            String.init)
        for end in [shas[0], shas[shas.count - 1]] {
            let run = repo.evalguard(arguments: ["run", "--commit", end])
            guard run.status == 0 || run.status == 1 else { throw TestFailure("run --commit failed: \(run.stderr)") }
        }
        let repository = try Repository.discover(from: repo.root)
        let store = ResultStore(root: repo.root, repository: repository)
        let good = try #require(store.load(commit: shas[0]))
        let bad = try #require(store.load(commit: shas[shas.count - 1]))
        let index = HistoryIndex(repository: repository)
        for (i, sha) in shas.enumerated().dropFirst().dropLast() {
            var result = i > Self.plantAt ? bad : good
            result.commit = sha
            result.key = try #require(index.key(of: try index.entry(sha)))
            result.suites = result.suites.map {
                var s = $0
                s.key = nil
                return s
            }
            try store.save(result)
        }
        try? FileManager.default.removeItem(atPath: counter)
        return (repo, shas, counter)
    }

    @Test func keysOnlyWhatStoredResultsCannotSettle() throws {
        let (repo, shas, counter) = try everythingStored()
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let culprit = shas[Self.plantAt + 1]
        let bound = 2 * Int(log2(Double(Self.commits)).rounded(.up)) + 4

        let repository = try Repository.discover(from: repo.root)
        let blame = Blame(repository: repository, options: BlameOptions(good: shas[0]))
        let answer = try Repository.withoutObjectCache { try blame.run() }
        #expect(answer.status == .found)
        #expect(answer.culprit?.commit.sha == culprit)
        #expect(answer.culprit?.before == shas[Self.plantAt])
        #expect(answer.evaluations == 0 && SyntheticHistory.starts(counter) == 0)
        #expect(answer.commitsInRange == Self.commits)
        #expect(
            !answer.probes.isEmpty
                && answer.probes.allSatisfy { $0.evaluations == 0 && ($0.state == .good || $0.state == .bad) })
        #expect(blame.index.commitsKeyed <= bound, "\(blame.index.commitsKeyed) keys read for \(Self.commits) commits")
        #expect(answer.keyedCommits == blame.index.commitsKeyed)
        #expect(answer.distinctKeys == nil, "not every key was read, so their number is not known")

        // Without --good: the most recent stored passing commit becomes the good end, found the same way.
        let again = Blame(repository: try Repository.discover(from: repo.root), options: BlameOptions())
        let moved = try Repository.withoutObjectCache { try again.run() }
        #expect(moved.culprit?.commit.sha == culprit)
        #expect(moved.good.sha == shas[Self.plantAt])
        #expect(moved.evaluations == 0 && SyntheticHistory.starts(counter) == 0)
        #expect(
            again.index.commitsKeyed <= 2 * bound, "\(again.index.commitsKeyed) keys read for \(Self.commits) commits")
    }

    @Test func withNothingStoredEveryKeyIsReadAndCounted() throws {
        let counter = NSTemporaryDirectory() + "evalguard-counter-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: counter) }
        let repo = try SyntheticHistory.make(BlameTests.changes(40, plantAt: 25), counter: counter)
        let (run, doc) = try repo.evalguardJSON(["blame"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(doc["commits_in_range"]?.numberValue == 40)
        // Docs commits (one in four) share their parent's key: 41 commits with the good end, 31 keys.
        #expect(doc["distinct_keys"]?.numberValue == 31)
        #expect(doc["keyed_commits"]?.numberValue == 41)
    }
}
