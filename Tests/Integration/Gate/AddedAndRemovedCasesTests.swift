import EvalGuardTestSupport
import Foundation
import Testing

/// `check` names the cases added to or removed from a suite since the baseline, in text and
/// markdown as in JSON, and says which cases each accuracy is over.
@Suite struct AddedAndRemovedCasesTests {
    @Test func addedAndRemovedCasesAreShownInTextAndMarkdown() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (1...10).map { caseLine("c\($0)", "q\($0)") })
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        // c1 goes, c11 and c12 (one of them failing) come.
        let cases =
            (2...10).map { caseLine("c\($0)", "q\($0)") } + [caseLine("c11", "q11"), caseLine("c12", "q12", "other")]
        try repo.write(".evals/cases/main.jsonl", cases.joined(separator: "\n") + "\n")

        let text = repo.evalguard("check")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(
            text.stdout.contains(
                "main: 2 case(s) added since the baseline (not paired, so not in the accuracy test): c11, c12"),
            "\(text.stdout)")
        #expect(text.stdout.contains("main: 1 case(s) removed since the baseline: c1"))
        #expect(
            text.stdout.contains(
                "accuracy above is over the 9 cases paired with the baseline; over all 11 cases now it is 0.9091"))

        let markdown = repo.evalguard("check", "--format", "markdown")
        #expect(markdown.stdout.contains("2 case(s) added since the baseline"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("`c11`, `c12`"))
        #expect(markdown.stdout.contains("1 case(s) removed since the baseline: `c1`"))
        #expect(
            markdown.stdout.contains("over the 9 cases paired with the baseline; over all 11 cases now it is 0.9091"))
    }

    @Test func longListsOfAddedCasesAreClipped() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: (1...3).map { caseLine("c\($0)", "q\($0)") })
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        try repo.write(
            ".evals/cases/main.jsonl", (1...40).map { caseLine("c\($0)", "q\($0)") }.joined(separator: "\n") + "\n")
        let text = repo.evalguard("check")
        #expect(text.stdout.contains("main: 37 case(s) added since the baseline"), "\(text.stdout)")
        #expect(text.stdout.contains("c4, c5, c6"))
        #expect(!text.stdout.contains("c40"))
        #expect(text.stdout.contains("… and 17 more"))
    }
}
