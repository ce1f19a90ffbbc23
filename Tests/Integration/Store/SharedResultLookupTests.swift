import EvalGuardTestSupport
import Foundation
import Testing

/// A result stored under another commit with the same evaluation key counts for a commit that has
/// none of its own: `log` in a clone that fetched the notes, and the baseline's answers in `report`.
@Suite struct SharedResultLookupTests {
    /// Evals whose model depends on model.py alone, so a commit that changes docs keeps the key.
    static func repository() throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.setUpEvals(
            model: Models.echo(), cases: (1...4).map { caseLine("c\($0)", "q\($0)") },
            modelConfig: ", \"inputs\": [\"model.py\"]")
        try repo.commitAll("Add evals")
        return repo
    }

    @Test func logInAFreshCloneShowsCommitsSharingANotedResult() throws {
        let repo = try Self.repository()
        let evaluated = repo.head
        #expect(repo.evalguard("run").status == 0)
        try repo.write("docs.md", "docs\n")
        try repo.commitAll("Docs")
        let docs = repo.head
        let base = NSTemporaryDirectory() + "evalguard-shared-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(try Shell.run(["git", "init", "-q", "--bare", "-b", "main", base + "/remote.git"]).status == 0)
        try repo.git("remote", "add", "origin", base + "/remote.git")
        try repo.git("push", "-q", "origin", "main")
        #expect(repo.evalguard("sync").status == 0)
        #expect(try Shell.run(["git", "clone", "-q", base + "/remote.git", base + "/clone"]).status == 0)
        #expect(repo.evalguard("sync", in: base + "/clone").status == 0)

        let log = repo.evalguard("log", in: base + "/clone")
        #expect(log.status == 0, "\(log.stderr)")
        let lines = log.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix(evaluated.prefix(7)) }, "\(log.stdout)")
        #expect(
            lines.contains { $0.hasPrefix(docs.prefix(7)) && $0.contains("= \(evaluated.prefix(7))") }, "\(log.stdout)")
    }

    @Test func reportFindsTheBaselinesAnswersByKey() throws {
        let repo = try Self.repository()
        #expect(repo.evalguard("baseline").status == 0)
        let from = repo.head
        try repo.commitAll("Baseline")
        // The baseline's own result is gone (as in a clone it never reached); the next commit,
        // with the same key, has one.
        try? FileManager.default.removeItem(atPath: repo.path(".evals/results"))
        try repo.git("notes", "--ref=evalguard", "remove", from)
        #expect(repo.evalguard("run").status == 0)
        try repo.write("model.py", Models.echo(flipping: ["q2"]))
        let report = repo.evalguard("report", "-o", "page.html")
        #expect(report.status == 0 || report.status == 1, "\(report.stderr)")
        let page = try #require(repo.read("page.html"))
        #expect(page.contains("c2"))
        #expect(!page.contains("<h4>baseline answer</h4><span class=\"none\">not stored</span>"), "\(page)")
    }
}
