import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardSupport

/// The cached gate looks at the model's inputs alone: the key of a commit reads only the trees
/// that can hold inputs, and the working tree's scan compares and stats only the inputs' paths.
/// A change to an input (modified, or a new file under an input directory) still misses the
/// cache; a change anywhere else in a large tree does not. `check --commit` and `ci` verdicts are
/// cached too, `ci`'s per commit with the audit that reached them.
@Suite struct VerdictCacheScopeTests {
    static let environment = VerdictCacheTests.environment
    static let nothing = VerdictCacheTests.nothing
    static func decoded(_ stderr: String) -> String? { VerdictCacheTests.decoded(stderr) }

    /// The echo model reads `model.py` and `prompts/`; `docs/` (nested folders by default) lies
    /// beside, outside its inputs. The baseline is recorded and committed.
    static func project(
        docs: [String: String] = Dictionary(
            uniqueKeysWithValues: (0..<40).map { ("docs/part\($0 % 4)/deep/page\($0).md", "page \($0)\n") })
    )
        throws -> ScratchRepository
    {
        let repo = try ScratchRepository()
        try repo.setUpEvals(
            model: Models.echo(), cases: (1...20).map { caseLine("c\($0)", "q\($0)") },
            modelConfig: ", \"inputs\": [\"model.py\", \"prompts/\"]")
        try repo.write("prompts/system.txt", "Answer with the input.\n")
        for (path, text) in docs { try repo.write(path, text) }
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Record the baseline")
        return repo
    }

    func check(_ repo: ScratchRepository, _ arguments: [String] = []) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try runBinary(["check"] + arguments, in: repo.root, environment: Self.environment)
    }

    @Test func literalPrefixesBoundWhereAnInputCanBe() {
        #expect(Glob("prompts/**/*.txt").literalPrefix == "prompts")
        #expect(Glob("model/").literalPrefix == "model")
        #expect(Glob("./src/app/config.json").literalPrefix == "src/app/config.json")
        #expect(Glob("src/*/model.py").literalPrefix == "src")
        #expect(Glob("*.py").literalPrefix == "")
        #expect(Glob("**/prompts").literalPrefix == "")
        let selection = InputSelection(
            globs: [Glob("prompts/**/*.txt"), Glob("model.py")], always: [".evals/evalguard.json"])
        #expect(selection.roots == [".evals/evalguard.json", "model.py", "prompts"])
        #expect(InputSelection(globs: nil, always: [".evals/evalguard.json"]).roots == nil)
        #expect(InputSelection(globs: [Glob("*.py")], always: []).roots == nil)
    }

    @Test func aCommitsKeyReadsOnlyTheTreesThatCanHoldInputsAndIsTheSameKey() throws {
        let repo = try Self.project()
        let repository = try Repository.discover(from: repo.root)
        let inputs = try EvalConfig.load(repositoryRoot: repo.root).inputs
        var asked: [String] = []
        let pruned = try repository.files(atCommit: repo.head) { directory in
            asked.append(directory)
            return inputs.mayInclude(below: directory)
        }.filter { inputs.includes($0.path) }
        let whole = try repository.files(atCommit: repo.head).filter { inputs.includes($0.path) }
        #expect(Set(pruned) == Set(whole))
        #expect(whole.contains { $0.path == "prompts/system.txt" })
        #expect(
            EvaluationKey.compute(files: pruned, formatVersion: 1)
                == EvaluationKey.compute(files: whole, formatVersion: 1))
        // `docs/` was refused, so nothing below it was read.
        #expect(asked.contains("docs/"))
        #expect(!asked.contains { $0.hasPrefix("docs/part") })
    }

    @Test func theWorkingTreeScanSeesChangesUnderTheInputsOnly() throws {
        let repo = try Self.project()
        let repository = try Repository.discover(from: repo.root)
        try repo.write("docs/part1/deep/page1.md", "edited\n")
        try repo.write("docs/part2/new.md", "untracked\n")
        try repo.write("prompts/extra/more.txt", "an untracked input\n")
        try repo.write("prompts/system.txt", "Answer briefly.\n")
        let within = try #require(try EvalConfig.load(repositoryRoot: repo.root).inputs.roots)
        #expect(within.contains("prompts"))
        let changed = try repository.changedPaths(within: within)
        #expect(changed == ["prompts/extra/more.txt", "prompts/system.txt"], "\(changed)")
        #expect(
            try repository.changedPaths().isSuperset(of: [
                "docs/part1/deep/page1.md", "docs/part2/new.md", "prompts/extra/more.txt",
            ]))
        let workspace = try Workspace(directory: repo.root, environment: [:])
        #expect(try workspace.workingTreeState().dirtyPaths == ["prompts/extra/more.txt", "prompts/system.txt"])
    }

    @Test func theDigestIsTheSameOnACommitThatChangesNoInput() throws {
        let repo = try Self.project()
        let before = try Workspace(directory: repo.root, environment: [:])
        let digest = try before.evaluator.verdictDigest(.workingTree, baselineBlob: "a", extra: [])
        try repo.write("docs/part0/deep/page0.md", "edited\n")
        try repo.commitAll("Docs")
        let after = try Workspace(directory: repo.root, environment: [:])
        #expect(try after.workingTreeState().key == before.workingTreeState().key)
        #expect(try after.evaluator.verdictDigest(.workingTree, baselineBlob: "a", extra: []) == digest)
        // `ci`'s audit seeds its sample with the commit, which it adds: another commit is another verdict.
        #expect(try after.evaluator.verdictDigest(.workingTree, baselineBlob: "a", extra: [repo.head]) != digest)
    }

    @Test func theInputSnapshotSeesEveryChangeUnderTheInputsAndRefusesUntrackedInputs() throws {
        let repo = try Self.project()
        try repo.write(".gitignore", "prompts/*.log\n")
        try repo.commitAll("Ignore logs")
        let repository = try Repository.discover(from: repo.root)
        let inputs = try EvalConfig.load(repositoryRoot: repo.root).inputs
        let tracked = Set(try repository.files(atCommit: repo.head).map(\.path).filter(inputs.includes))
        // `settle: -1`: files written a moment ago count as settled (the default waits 2 seconds).
        func take() -> [String: String]? {
            InputSnapshot.take(root: repo.root, inputs: inputs, tracked: tracked, settle: -1)
        }
        try repo.write("prompts/system.txt", try #require(repo.read("prompts/system.txt")))
        #expect(
            InputSnapshot.take(root: repo.root, inputs: inputs, tracked: tracked) == nil, "just written: racily clean")
        let snapshot = try #require(take())
        #expect(
            Set(snapshot.keys) == [
                ".evals/evalguard.json", ".evals/cases/main.jsonl", "model.py", "prompts", "prompts/system.txt",
            ])
        #expect(InputSnapshot.holds(snapshot, root: repo.root))
        // Outside the inputs: nothing to see.
        try repo.write("docs/part1/deep/page1.md", "edited\n")
        try repo.write("docs/new.md", "untracked\n")
        #expect(InputSnapshot.holds(snapshot, root: repo.root))
        // A new file under an input directory changes the directory; none is taken while it is there.
        try repo.write("prompts/extra.txt", "an untracked input\n")
        #expect(!InputSnapshot.holds(snapshot, root: repo.root))
        #expect(take() == nil)
        try FileManager.default.removeItem(atPath: repo.root + "/prompts/extra.txt")
        // Nor while an ignored file the inputs match lies there (whether it is ignored depends on other files).
        try repo.write("prompts/run.log", "ignored\n")
        #expect(try repository.changedPaths().contains("prompts/run.log") == false)
        #expect(take() == nil)
        try FileManager.default.removeItem(atPath: repo.root + "/prompts/run.log")
        let again = try #require(take())
        // An edited input, even to the same size, and a deleted one.
        try repo.write("prompts/system.txt", "Answer with the input!\n")
        #expect(!InputSnapshot.holds(again, root: repo.root))
        let edited = try #require(take())
        try FileManager.default.removeItem(atPath: repo.root + "/model.py")
        #expect(!InputSnapshot.holds(edited, root: repo.root))
    }

    @Test func aSettledCleanTreeFindsTheVerdictWithoutAStatus() throws {
        let repo = try Self.project()
        let environment = Self.environment.merging(["EVALGUARD_TRACE": "decode,status"]) { $1 }
        let none = "trace: computed 0 working-tree status(es)"
        let first = try runBinary(["check"], in: repo.root, environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stderr.contains(none))
        // The inputs were just written: a snapshot waits until their times are more than
        // `settleSeconds` whole seconds old, so up to one second more than that.
        Thread.sleep(forTimeInterval: Double(InputSnapshot.settleSeconds) + 1.1)
        let second = try runBinary(["check"], in: repo.root, environment: environment)
        // Found through the status (which then keeps the snapshot), or already through a snapshot.
        #expect(Self.decoded(second.stderr) == Self.nothing, "\(second.stderr)")
        let third = try runBinary(["check"], in: repo.root, environment: environment)
        #expect(third.status == 0)
        #expect(third.stderr.contains(none), "\(third.stderr)")
        #expect(Self.decoded(third.stderr) == Self.nothing, "\(third.stderr)")
        #expect(third.stdout == first.stdout)
        // Changes outside the inputs keep it; an edited input is evaluated again.
        try repo.write("docs/part1/deep/page1.md", "edited\n")
        #expect(try runBinary(["check"], in: repo.root, environment: environment).stderr.contains(none))
        try repo.write("prompts/system.txt", "Answer briefly.\n")
        let edited = try runBinary(["check"], in: repo.root, environment: environment)
        #expect(!edited.stderr.contains(none))
        #expect(Self.decoded(edited.stderr) != Self.nothing, "\(edited.stderr)")
        #expect(edited.stdout.contains("uncommitted changes"))
    }

    @Test func checkHitsAfterChangesOutsideTheInputsAndMissesOnANewOrEditedInput() throws {
        let repo = try Self.project()
        #expect(try check(repo).status == 0)
        let cached = try check(repo)
        #expect(cached.status == 0)
        #expect(Self.decoded(cached.stderr) == Self.nothing, "\(cached.stderr)")
        // Edits and new files outside the inputs leave the gate's inputs as they were.
        try repo.write("docs/part1/deep/page1.md", "edited\n")
        try repo.write("docs/part2/new.md", "untracked\n")
        let outside = try check(repo)
        #expect(outside.status == 0, "\(outside.stderr)")
        #expect(Self.decoded(outside.stderr) == Self.nothing, "\(outside.stderr)")
        #expect(outside.stdout == cached.stdout)
        // A new, untracked file under an input directory is a new input: evaluated again.
        try repo.write("prompts/extra.txt", "an untracked input\n")
        let added = try check(repo)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(Self.decoded(added.stderr) != Self.nothing, "\(added.stderr)")
        #expect(added.stdout.contains("uncommitted changes"), "\(added.stdout)")
        try FileManager.default.removeItem(atPath: repo.root + "/prompts/extra.txt")
        // So is an edited input.
        try repo.write("prompts/system.txt", "Answer briefly.\n")
        let edited = try check(repo)
        #expect(Self.decoded(edited.stderr) != Self.nothing, "\(edited.stderr)")
        #expect(edited.stdout.contains("uncommitted changes"), "\(edited.stdout)")
    }

    @Test func checkOfACommitIsCachedByItsInputsAndTheBaselineItIsHeldAgainst() throws {
        let repo = try Self.project()
        let head = repo.head
        try repo.write("docs/part0/deep/page0.md", "edited\n")
        try repo.commitAll("Docs")
        let first = try check(repo, ["--commit", head])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.decoded(first.stderr) != Self.nothing)
        let second = try check(repo, ["--commit", head])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Self.decoded(second.stderr) == Self.nothing, "\(second.stderr)")
        #expect(second.stdout == first.stdout)
        #expect(second.stderr == first.stderr.replacingOccurrences(of: Self.decoded(first.stderr)!, with: Self.nothing))
        // Another commit with the same inputs, or the same one against another revision's copy of
        // the same baseline, is the same verdict, each named as asked.
        let docs = try check(repo, ["--commit", repo.head])
        #expect(Self.decoded(docs.stderr) == Self.nothing, "\(docs.stderr)")
        #expect(docs.stdout.hasPrefix("evalguard check: commit \(repo.head.prefix(7))"), "\(docs.stdout)")
        let against = try check(repo, ["--commit", head, "--against", repo.head])
        #expect(against.status == 0, "\(against.stderr)")
        #expect(Self.decoded(against.stderr) == Self.nothing, "\(against.stderr)")
        #expect(against.stdout != first.stdout)
        #expect(
            against.stdout.contains("the baseline committed at \(repo.head) (\(repo.head.prefix(7)))"),
            "\(against.stdout)")
    }

    @Test func ciKeepsItsVerdictWithTheAuditThatReachedItUnderTheSameAuditKey() throws {
        let p = try AuditProject()
        try p.commitModel(flipping: ["not an input"], message: "Same answers, another model file")
        try p.storeResult(forging: false)
        let clone = p.root + "/ci-cached"
        #expect(try Shell.run(["git", "clone", "-q", "--branch", "feature", "file://" + p.remote, clone]).status == 0)
        func ci(_ key: String?) throws -> (run: (status: Int32, stdout: String, stderr: String), asked: Int) {
            try? FileManager.default.removeItem(atPath: p.counter)
            var environment = Self.environment.merging(["GITHUB_BASE_REF": "main"]) { $1 }
            environment["EVALGUARD_AUDIT_KEY"] = key
            let run = try runBinary(["ci", "--junit", "report.xml"], in: clone, environment: environment)
            return (run, p.asked.count)
        }
        let first = try ci(nil)
        #expect(first.run.status == 0, "\(first.run.stdout)\(first.run.stderr)")
        #expect(first.asked == 20)
        #expect(Self.decoded(first.run.stderr) != Self.nothing)
        let junit = try String(contentsOfFile: clone + "/report.xml", encoding: .utf8)
        try FileManager.default.removeItem(atPath: clone + "/report.xml")
        // The same answers, model, sample and baseline: the audit's verdict stands, nothing is asked or decoded.
        let second = try ci(nil)
        #expect(second.run.status == 0, "\(second.run.stderr)")
        #expect(second.asked == 0)
        #expect(Self.decoded(second.run.stderr) == Self.nothing, "\(second.run.stderr)")
        #expect(second.run.stdout == first.run.stdout)
        #expect(second.run.stdout.contains("audit: 20 of 30 reused cases re-run, 20 matched: stored answers kept"))
        #expect(try String(contentsOfFile: clone + "/report.xml", encoding: .utf8) == junit)
        // Another audit key draws another sample: audited again.
        let keyed = try ci("a secret")
        #expect(keyed.run.status == 0, "\(keyed.run.stderr)")
        #expect(keyed.asked == 20)
        #expect(Self.decoded(keyed.run.stderr) != Self.nothing)
    }
}
