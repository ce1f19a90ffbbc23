import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardReport
@testable import EvalGuardSupport

/// `evalguard report`, `ci --html` and `blame --html` end to end in scratch repositories: the
/// page's sections, its policy, and that untrusted text arrives only as text.
@Suite struct ReportCommandTests {
    static func page(_ repo: ScratchRepository, _ arguments: String...) throws -> (Invocation, String) {
        let run = repo.evalguard(arguments: ["report"] + arguments)
        let path = arguments.firstIndex(of: "-o").map { arguments[$0 + 1] } ?? "evalguard-report.html"
        guard let html = repo.read(path) else {
            throw TestFailure("no page written (exit \(run.status)): \(run.stderr)")
        }
        return (run, html)
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func writesOnePageWithTheVerdictHistoryAndFlippedCasesAndExitsLikeCheck() throws {
        let repo = try ReportFixture.make()
        let (run, html) = try Self.page(repo, "-o", "out/page.html")
        #expect(run.status == 1, "a regression exits 1, as check does")
        #expect(run.stdout.contains("Verdict: REGRESSION (main accuracy)\nAlso inconclusive: extra accuracy"))
        #expect(run.stdout.contains("Wrote out/page.html"))
        for id in ["id=\"table\"", "id=\"history\"", "id=\"flipped\""] { #expect(html.contains(id)) }
        // Regression and inconclusive differ by a symbol and a word, not only by colour.
        #expect(html.contains("<td class=\"verdict v-regression\">✗ REGRESSION</td>"))
        #expect(
            html.contains("<td class=\"verdict v-skipped\">– skipped <span class=\"sub\">(switched off)</span></td>"))
        #expect(
            html.contains("<td class=\"verdict v-inconclusive\">? INCONCLUSIVE</td>"),
            "extra's one-case drop is within noise")
        // The history: one point per evaluated commit plus the working tree, the baseline change marked.
        #expect(Self.count("<svg class=\"chart\"", in: html) == 6, "per suite: accuracy, p95 latency and cost per case")
        #expect(html.contains("class=\"baseline-mark\""))
        #expect(Self.count("<circle class=\"now\"", in: html) == Self.count("<svg class=\"chart\"", in: html))
        #expect(html.contains("working tree"))
        // The flipped cases side by side, with a word diff of text answers, long ones folded.
        // Suites in name order: extra is s0, main s1.
        #expect(Self.count("<article class=\"flip broke s1\">", in: html) == 9)
        #expect(Self.count("<article class=\"flip fixed s1\">", in: html) == 1)
        #expect(Self.count("<article class=\"flip broke s0\">", in: html) == 1)
        #expect(html.contains("the quick <del>brown</del><ins>red</ins> fox jumps"))
        #expect(html.contains("<details><summary>a long customer message"))
        #expect(
            html.contains("<h4>baseline answer</h4><pre>wrong</pre>"),
            "c14's baseline answer, from the baseline's stored result")
    }

    @Test func untrustedTextIsEscapedAndThePolicyForbidsScriptsAndLoads() throws {
        let repo = try ReportFixture.make()
        let (_, html) = try Self.page(repo)
        let lower = html.lowercased()
        #expect(!lower.contains("<script"), "no script element at all, neither ours nor injected")
        #expect(!lower.contains("<img"))
        #expect(!lower.contains("<svg onload"))
        #expect(Self.count("</style>", in: lower) == 1, "only the page's own style element ends")
        #expect(Self.count("<style>", in: lower) == 1)
        #expect(!html.contains("\" onmouseover=\""), "no attribute was broken out of")
        #expect(!html.contains("' autofocus"))
        #expect(html.contains("&lt;script&gt;window.evalguardInjected=1;console.log(&#39;EVALGUARD-INJECTED&#39;)"))
        #expect(html.contains("&lt;/style&gt;&lt;script&gt;"))
        #expect(
            html.contains("Revert &lt;script&gt;window.evalguardInjected=1&lt;/"), "commit subjects in hover titles")
        #expect(
            html.contains("<code>x&quot;&gt;&lt;script&gt;window.evalguardInjected=1&lt;/script&gt;</code>"), "case ids"
        )
        // The policy: nothing by default, no script, the one style sheet by its hash.
        let style = try #require(html.range(of: "<style>")).upperBound
        let styleEnd = try #require(html.range(of: "</style>")).lowerBound
        let hash = Data(SHA256.digest(Array(html[style..<styleEnd].utf8))).base64EncodedString()
        #expect(
            html.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; script-src &#39;none&#39;; style-src &#39;sha256-\(hash)&#39;;"
            ))
        #expect(
            !lower.contains("http://")
                || !lower.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"),
            "nothing fetched")
        #expect(!lower.contains("https://"))
    }

    @Test func historyFollowsMaxCountOrARangeAndRefusesBoth() throws {
        let repo = try ReportFixture.make()
        let head = repo.head
        let (_, two) = try Self.page(repo, "-n", "2", "-o", "two.html")
        #expect(two.contains("3 commit(s) with a stored result"), "HEAD, its parent and the working tree")
        let (_, ranged) = try Self.page(repo, "--range", "HEAD~3..\(head)", "-o", "range.html")
        #expect(
            ranged.contains("4 commit(s) with a stored result"), "the three commits after HEAD~3 and the working tree")
        let both = repo.evalguard("report", "-n", "3", "--range", "HEAD~1..HEAD")
        #expect(both.status == 2)
        #expect(both.stderr.contains("--range and -n/--max-count cannot be combined"))
        let bad = repo.evalguard("report", "--range", "HEAD~1")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("expected A..B"))
    }

    @Test func ciWritesThePageAndTheSummarySaysWhereItIs() throws {
        let repo = try ReportFixture.make()
        try repo.git("branch", "base", "HEAD")
        let (console, captured) = Console.capturing()
        let status = CLI.run(
            arguments: ["ci", "--base", "base", "--html", "evalguard.html", "--markdown", "summary.md"],
            console: console,
            environment: [
                "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "42",
            ],
            workingDirectory: repo.root)
        #expect(status == 1, "\(captured.stderr)")
        let html = try #require(repo.read("evalguard.html"))
        #expect(html.contains("id=\"flipped\""))
        let summary = try #require(repo.read("summary.md"))
        #expect(
            summary.contains(
                "The HTML report (verdict, history charts, flipped cases side by side) is `evalguard.html`: download it from [this run's artifacts](https://github.com/acme/shop/actions/runs/42#artifacts)"
            ))
        let gitlab = ReportCommand.artifactNote(
            "out/evalguard.html", environment: ["CI_JOB_URL": "https://gitlab.example.com/acme/shop/-/jobs/7"])
        #expect(
            gitlab.contains(
                "[open it](https://gitlab.example.com/acme/shop/-/jobs/7/artifacts/file/out/evalguard.html)"))
    }

    @Test func blameHTMLShowsTheRangeEachProbeWithItsSideAndTheDecidingCases() throws {
        let counter = NSTemporaryDirectory() + "report-blame-\(UUID().uuidString)"
        let repo = try SyntheticHistory.make(
            [.tweak, .tweak, .tweak, .plant(["q3", "q7", "q11"]), .tweak, .tweak], counter: counter)
        let run = repo.evalguard("blame", "--html", "blame.html")
        #expect(run.status == 0, "\(run.stderr)")
        let html = try #require(repo.read("blame.html"))
        for id in ["id=\"range\"", "id=\"probes\"", "id=\"culprit\"", "id=\"flipped\""] { #expect(html.contains(id)) }
        #expect(html.contains("✗ First bad commit:"))
        #expect(html.contains("Rework the parser"))
        let rows = Self.count("<td class=\"verdict v-", in: html)
        #expect(rows >= 2, "the bisection probed at least two commits between the ends")
        #expect(html.contains("✗ bad") && html.contains("✓ good"))
        #expect(html.contains("main/c11, main/c3, main/c7"), "the planted cases decided the bad probes")
        #expect(
            html.contains("<h4>baseline answer</h4><pre>q3</pre>"), "the answer before the culprit beside the one after"
        )
        #expect(!html.lowercased().contains("<script"))
    }
}
