import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `evalguard ci` under each CI system's conventions.
@Suite struct CITests {
    /// `main` with evals and a baseline on a bare remote; a `feature` branch whose model regresses.
    final class Setup {
        let remote = NSTemporaryDirectory() + "evalguard-ci-\(UUID().uuidString).git"
        let repo: ScratchRepository

        init() throws {
            repo = try ScratchRepository()
            try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
            try repo.setUpEvals(model: Models.echo(), cases: (1...10).map { caseLine("c\($0)", "q\($0)") })
            try repo.commitAll("Add evals")
            repo.evalguard("baseline")
            try repo.commitAll("Baseline")
            try repo.git("remote", "add", "origin", remote)
            try repo.git("push", "-q", "origin", "main")
            try repo.git("checkout", "-q", "-b", "feature")
            try repo.write("model.py", Models.echo(flipping: ["q2", "q3", "q4", "q5", "q6", "q7"]))
            try repo.commitAll("Regress six cases")
            try repo.git("push", "-q", "origin", "feature")
        }

        deinit { try? FileManager.default.removeItem(atPath: remote) }

        func ci(_ arguments: [String] = [], environment: [String: String] = [:], in directory: String? = nil)
            -> Invocation
        {
            let (console, captured) = Console.capturing()
            let status = CLI.run(
                arguments: ["ci"] + arguments, console: console, environment: environment,
                workingDirectory: directory ?? repo.root)
            return Invocation(status: status, stdout: captured.stdout, stderr: captured.stderr)
        }
    }

    @Test func githubActionsPullRequest() throws {
        let s = try Setup()
        let summary = s.repo.path("summary.md")
        try s.repo.write("summary.md", "# earlier step\n")
        let run = s.ci(
            ["--junit", "report.xml"],
            environment: ["GITHUB_BASE_REF": "main", "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("from GITHUB_BASE_REF"))
        #expect(
            run.stdout.contains(
                "::error file=.evals/baseline.json,title=evalguard%3A main accuracy regressed::1.0000 → 0.4000"))
        let markdown = try #require(s.repo.read("summary.md"))
        #expect(markdown.hasPrefix("# earlier step\n"))
        #expect(
            markdown.contains(
                "| main | accuracy | 1.0000 | 0.4000 | -0.6000 | max drop 0.01 | p = 0.0156 | **REGRESSION** |"))
        let junit = try JUnitContents(path: s.repo.path("report.xml"))
        #expect(junit.testcases == ["main/accuracy", "main/p95_latency_ms", "main/avg_cost_usd"])
        #expect(junit.failures.count == 1)
        #expect(junit.failures.first?.contains("baseline 1.0000, current 0.4000") == true)
        #expect(junit.skipped == 2)
    }

    @Test func gitlabMergeRequest() throws {
        let s = try Setup()
        let run = s.ci(["--markdown", "mr.md"], environment: ["CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("from CI_MERGE_REQUEST_TARGET_BRANCH_NAME"))
        #expect(!run.stdout.contains("::error"))
        #expect(s.repo.read("mr.md")?.contains("evalguard: ❌ regression") == true)
    }

    @Test func upstreamAndExplicitBase() throws {
        let s = try Setup()
        try s.repo.git("branch", "-q", "-u", "origin/main")
        let upstream = s.ci()
        #expect(upstream.status == 1)
        #expect(upstream.stdout.contains("from the upstream of feature"))
        try s.repo.git("checkout", "-q", "main")
        let explicit = s.ci(["--base", "origin/main"])
        #expect(explicit.status == 0, "\(explicit.stdout)\(explicit.stderr)")
        #expect(explicit.stdout.contains("Verdict: pass"))
    }

    @Test func noBaseSaysHowToGiveOne() throws {
        let s = try Setup()
        let run = s.ci()
        #expect(run.status == 2)
        #expect(run.stderr.contains("cannot tell which branch this change targets"))
        #expect(run.stderr.contains("--base <branch>"))
    }

    @Test func aShallowCloneGetsTheExactFix() throws {
        let s = try Setup()
        let clone = NSTemporaryDirectory() + "evalguard-shallow-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: clone) }
        let done = try Shell.run([
            "git", "clone", "-q", "--depth", "1", "--single-branch", "--branch", "feature", "file://" + s.remote, clone,
        ])
        #expect(done.status == 0, "\(done.stderr)")
        // --no-fetch: without it ci deepens the clone itself (CIShallowTests).
        let run = s.ci(["--no-fetch"], environment: ["GITHUB_BASE_REF": "main"], in: clone)
        #expect(run.status == 2)
        #expect(run.stderr.contains("the base 'main' (from GITHUB_BASE_REF) is not in this clone"))
        #expect(run.stderr.contains("fetch-depth: 0"))
        #expect(run.stderr.contains("git fetch --deepen"))
    }

    /// `ci` shows a flipped case's expected answer, as `check` does.
    @Test func flippedCasesShowTheirExpectedAnswer() throws {
        let s = try CITests.Setup()
        let run = s.ci(["--base", "main"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("  - c2  expected \"q2\"  got \"wrong\""), "\(run.stdout)")
    }
}

/// What a JUnit XML file holds, read back with Foundation's XML parser.
final class JUnitContents: NSObject, XMLParserDelegate {
    var testcases: [String] = []
    var failures: [String] = []
    var skipped = 0
    private var suite = ""

    init(path: String) throws {
        super.init()
        let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: path)))
        parser.delegate = self
        #expect(parser.parse(), "not well-formed XML: \(String(describing: parser.parserError))")
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "testsuite": suite = attributes["name"] ?? ""
        case "testcase": testcases.append(suite + "/" + (attributes["name"] ?? ""))
        case "failure": failures.append(attributes["message"] ?? "")
        case "skipped": skipped += 1
        default: break
        }
    }
}
