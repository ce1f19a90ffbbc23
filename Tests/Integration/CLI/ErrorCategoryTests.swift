import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardGit
@testable import EvalGuardSupport

/// Every error has a category, and the exit code follows from the category in one place.
@Suite struct ErrorCategoryTests {
    @Test func eachCategoryHasOneExitCode() {
        let table: [(ErrorCategory, ExitCode)] = [
            (.usage, .usage), (.input, .usage), (.git, .couldNotEvaluate), (.model, .couldNotEvaluate),
            (.store, .couldNotEvaluate), (.interrupted, .interrupted),
        ]
        for (category, code) in table {
            #expect(category.exitCode == code, "\(category)")
            #expect(EvalGuardError("x", category: category).exitCode == code)
        }
        #expect(ExitCode.of(UsageError("bad flag")) == .usage)
        #expect(ExitCode.of(GitError(code: -1, function: "git_x", message: "broken")) == .couldNotEvaluate)
        #expect(ExitCode.of(EvalGuardError.evaluation("the model crashed")) == .couldNotEvaluate)
    }

    @Test func underBisectAnythingButAVerdictOrAnInterruptionIsSkip() {
        for category in [ErrorCategory.usage, .input, .git, .model, .store] {
            #expect(ExitCode.of(EvalGuardError("x", category: category), bisect: true) == .bisectSkip)
        }
        #expect(
            ExitCode.of(GitError(code: -3, function: "git_blob_lookup", message: "missing"), bisect: true)
                == .bisectSkip)
        #expect(ExitCode.of(UsageError("bad flag"), bisect: true) == .bisectSkip)
        // Ctrl-C must stop `git bisect run` (an exit code above 127 aborts it), not skip a commit.
        #expect(ExitCode.of(EvalGuardError("interrupted", category: .interrupted), bisect: true) == .interrupted)
    }

    /// A repository whose committed baseline blob is gone from the object database.
    func repositoryMissingTheBaselineObject() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "a"), caseLine("b", "b")])
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        let blob = try repo.git("rev-parse", "HEAD:.evals/baseline.json")
        let object = repo.path(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
        try FileManager.default.removeItem(atPath: object)
        return repo
    }

    @Test func aGitErrorUnderCheckBisectExits125AndOtherwiseItsCategorysCode() throws {
        let repo = try repositoryMissingTheBaselineObject()
        let bisect = repo.evalguard("check", "--bisect")
        #expect(bisect.status == 125, "\(bisect.stderr)")
        #expect(bisect.stderr.contains("git_"), "the git failure is still shown: \(bisect.stderr)")
        let plain = repo.evalguard("check")
        #expect(plain.status == 3, "\(plain.stderr)")
    }

    @Test func anUnresolvableAgainstUnderCheckBisectExits125AndOtherwiseTwo() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "a")])
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("check", "--bisect", "--against", "no-such-branch").status == 125)
        #expect(repo.evalguard("check", "--against", "no-such-branch").status == 2)
    }
}
