import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardEvaluation
@testable import EvalGuardGit
@testable import EvalGuardScoring
@testable import EvalGuardStore
@testable import EvalGuardSupport

/// Two features in one repository: an LLM router (the openai provider, against the counting
/// test server, with its system prompt in a file) and a keyword classifier (a command model that
/// counts its own requests). Each edit makes exactly the model requests it needs.
@Suite(.serialized) struct PerSuiteReuseTests {
    typealias Fixture = PerSuiteReuseFixture

    @Test func firstRunAsksBothModelsAndReadsThePromptFile() throws {
        let f = try Fixture()
        let e = try f.evaluator.evaluate(.workingTree)
        #expect(f.httpRequests == 6 && f.commandRequests == 4)
        #expect(e.result.suites.map(\.name) == ["priority", "router"])
        #expect(e.result.suites.allSatisfy { $0.metrics.accuracy == 1 })
        let first = try #require(try f.server.requests().first)
        let body = try JSONParser.parse(try #require(first["body"]?.stringValue))
        guard case .array(let messages)? = body["messages"] else {
            Issue.record("no messages")
            return
        }
        #expect(messages[0]["content"] == .string("Route the ticket to a team.\n"))
        #expect(e.result.suite("router")?.model == "models.router")
        #expect(e.result.suite("router")?.cases.first?.output == "\"ticket 0\"")
    }

    @Test func aFileOnlyTheCommandModelReadsMakesNoHTTPRequest() throws {
        let f = try Fixture()
        _ = try f.evaluator.evaluate(.workingTree)
        try f.repo.write("classifier/keywords.json", #"["outage", "down", "broken"]"#)
        let r = try f.commitAndEvaluate("more keywords")
        #expect(r.http == 0 && r.command == 4)
        let router = try #require(r.result.suite("router")?.reuse)
        #expect(router.reused == 6 && router.ran.isEmpty && router.wholeSuite)
    }

    @Test func thresholdCommentAndPricesMakeNoRequestAndCostsAreRecomputedExactly() throws {
        let f = try Fixture()
        let before = try f.evaluator.evaluate(.workingTree).result
        try f.writeConfig(comment: "Owned by the backend team.", accuracyDrop: 0.05)
        try f.repo.write(
            ".evals/prices.json", #"{"gpt-4o-mini": {"input_per_million": 0.3, "output_per_million": 1.25}}"#)
        let r = try f.commitAndEvaluate("thresholds, a comment and new prices")
        #expect(r.http == 0 && r.command == 0)
        let price = PriceTable.Price(
            inputPerMillion: Decimal(string: "0.3")!, outputPerMillion: Decimal(string: "1.25")!)
        for (old, new) in zip(try #require(before.suite("router")).cases, try #require(r.result.suite("router")).cases)
        {
            let usage = try #require(new.usage)
            #expect(usage == old.usage)
            #expect(
                new.costUSD
                    == price.cost(promptTokens: usage["prompt_tokens"]!, completionTokens: usage["completion_tokens"]!))
            #expect(new.costUSD != old.costUSD)
        }
        #expect(r.result.suite("router")?.reuse?.repriced == 6)
        #expect(r.result.prices?["input_per_million"] == .number(0.3))
        #expect(r.result.reuseLines.contains { $0.contains("re-priced: the price table changed") })
    }

    @Test func changingThePromptFileRerunsOnlyTheRouter() throws {
        let f = try Fixture()
        _ = try f.evaluator.evaluate(.workingTree)
        try f.repo.write("prompts/router_system.txt", "Route the ticket to exactly one team.\n")
        let r = try f.commitAndEvaluate("sharper prompt")
        #expect(r.http == 6 && r.command == 0)
        #expect(r.result.suite("router")?.reuse?.ran.count == 6)
        #expect(r.result.suite("priority")?.reuse?.reused == 4)
    }

    @Test func addingFiveCasesMakesFiveRequestsAndRemovedCasesAreDropped() throws {
        let f = try Fixture()
        _ = try f.evaluator.evaluate(.workingTree)
        let lines =
            (1..<6).map { caseLine("r\($0)", "ticket \($0)") }
            + (0..<5).map { caseLine("new\($0)", "new ticket \($0)") }
        try f.repo.write(".evals/cases/router.jsonl", lines.joined(separator: "\n") + "\n")
        let r = try f.commitAndEvaluate("five new cases, one removed")
        #expect(r.http == 5 && r.command == 0)
        let router = try #require(r.result.suite("router"))
        #expect(router.cases.count == 10 && !router.cases.contains { $0.id == "r0" })
        #expect(Set(router.reuse?.ran ?? []) == Set((0..<5).map { "new\($0)" }))
        // A case whose input changed runs again.
        try f.repo.write(
            ".evals/cases/router.jsonl",
            ([caseLine("r1", "ticket one")] + lines.dropFirst()).joined(separator: "\n") + "\n")
        let changed = try f.commitAndEvaluate("an input changed")
        #expect(changed.http == 1 && changed.result.suite("router")?.reuse?.ran == ["r1"])
    }

    @Test func aScorerOrExpectedChangeRescoresWithoutARequest() throws {
        let f = try Fixture()
        _ = try f.evaluator.evaluate(.workingTree)
        try f.writeConfig(priorityScorer: "contains")
        var lines = (0..<4).map {
            caseLine("p\($0)", $0 % 2 == 0 ? "site down \($0)" : "question \($0)", $0 % 2 == 0 ? "high" : "low")
        }
        lines[0] = caseLine("p0", "site down 0", "low")
        try f.repo.write(".evals/cases/priority.jsonl", lines.joined(separator: "\n") + "\n")
        let r = try f.commitAndEvaluate("new scorer and a new expected answer")
        #expect(r.http == 0 && r.command == 0)
        let priority = try #require(r.result.suite("priority"))
        #expect(priority.reuse?.rescored == 4)
        #expect(priority.cases.map(\.passed) == [false, true, true, true])
        #expect(priority.cases[0].reusedFrom != nil)
    }

    @Test func aCommitEvaluatedAsTheHookAndCIDoFollowsTheSameRules() throws {
        let f = try Fixture()
        _ = try f.evaluator.evaluate(.commit(f.repo.head))
        try f.repo.write("classifier/keywords.json", #"["outage"]"#)
        let r = try f.commitAndEvaluate("fewer keywords") { .commit($0) }
        #expect(r.http == 0 && r.command == 4)
        #expect(r.result.commit == f.repo.head && !r.result.dirty)
        // Its note holds every suite, so another clone finds the answers.
        #expect(
            ResultStore(root: f.repo.root, repository: try Repository.discover(from: f.repo.root)).note(
                commit: f.repo.head)?.suites.count == 2)
    }

    @Test func freshAsksEveryCase() throws {
        let f = try Fixture()
        _ = try f.evaluator.evaluate(.workingTree)
        _ = try f.evaluator.evaluate(.workingTree, fresh: true)
        #expect(f.httpRequests == 12 && f.commandRequests == 8)
    }

    @Test func anOutputBeyondTheCapKeepsOnlyItsDigestAndRerunsWhenScoringChanges() throws {
        let long = String(repeating: "word ", count: 1000)
        let f = try Fixture(routerCases: 0)
        try f.repo.write(".evals/cases/router.jsonl", caseLine("big", long) + "\n")
        try f.repo.commitAll("a long answer")
        let first = try f.evaluator.evaluate(.workingTree).result.suite("router")!.cases[0]
        #expect(
            first.outputTruncated == true && first.output!.count == CaseResult.outputLimit + 1
                && first.outputDigest != nil)
        try f.repo.write(".evals/cases/router.jsonl", caseLine("big", long, "other") + "\n")
        let r = try f.commitAndEvaluate("another expected answer")
        #expect(r.http == 1)
    }
}

/// `--suite` asks only the named suites' model.
@Suite(.serialized) struct SuiteOptionTests {
    @Test func onlyTheNamedSuiteAsksItsModelAndItsAnswersAreKept() throws {
        let f = try PerSuiteReuseTests.Fixture()
        let partial = try f.evaluator.evaluate(.workingTree, only: ["router"])
        #expect(f.httpRequests == 6 && f.commandRequests == 0)
        #expect(!partial.stored && partial.result.suites.map(\.name) == ["router"])
        #expect(ResultStore(root: f.repo.root).load(commit: f.repo.head) == nil)
        let whole = try f.evaluator.evaluate(.workingTree)
        #expect(f.httpRequests == 6 && f.commandRequests == 4, "the router's answers were kept")
        #expect(whole.stored && whole.result.suites.count == 2)
        #expect(throws: EvalGuardError.self) { try f.evaluator.evaluate(.workingTree, only: ["nope"]) }
    }

    @Test func checkWithSuiteComparesThatSuiteAlone() throws {
        let f = try PerSuiteReuseTests.Fixture()
        #expect(f.repo.evalguard("baseline").status == 0)
        try f.repo.commitAll("baseline")
        try f.repo.write("classifier/keywords.json", #"["nothing"]"#)
        let router = f.repo.evalguard("check", "--suite", "router", "--format", "json")
        #expect(router.status == 0, "\(router.stderr)")
        #expect(f.commandRequests == 4, "the priority model was not asked again")
        #expect(
            router.stdout.contains("\"router\"") && !router.stdout.contains("\"priority\""),
            "only the router is compared")
        let priority = f.repo.evalguard("check", "--suite", "priority")
        #expect(priority.stderr.contains("priority: 4 case(s) asked of the model"))
        #expect(priority.stdout.contains("priority") && !priority.stdout.contains("router"), "\(priority.stdout)")
        #expect(f.commandRequests == 8 && f.httpRequests == 6)
    }
}

/// Without `inputs`, every file but evalguard's own is the model's: a model kept under `.evals/`
/// (as `evalguard init` starts one) counts.
@Suite struct DefaultModelInputsTests {
    @Test func aModelUnderEvalsIsAnInputWhenInputsIsUnset() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(
            model: Models.echo(), cases: (1...4).map { caseLine("c\($0)", "q\($0)") },
            modelConfig: "")
        try repo.write(".evals/model.py", Models.echo())
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", ".evals/model.py"]}, "suites": {"main": {"cases": "cases/main.jsonl"}},
             "thresholds": {"p95_latency_ms": false}}
            """)
        try repo.commitAll("evals")
        let evaluator = Evaluator(repository: try Repository.discover(from: repo.root))
        #expect(try evaluator.evaluate(.workingTree).result.overall.accuracy == 1)
        try repo.write(".evals/model.py", Models.echo(flipping: ["q1", "q2"]))
        try repo.commitAll("a worse model")
        let after = try evaluator.evaluate(.workingTree).result
        #expect(after.overall.accuracy == 0.5)
        #expect(after.suites[0].reuse?.ran.count == 4)
    }
}

/// With `--repeat`, a case's runs are re-scored from their stored outputs and re-priced from their
/// tokens, as a case run once is.
@Suite(.serialized) struct RepeatedCaseReuseTests {
    @Test func aRepeatedCaseIsRescoredAndRepricedWithoutARequest() throws {
        let f = try PerSuiteReuseTests.Fixture()
        let before = try f.evaluator.evaluate(.workingTree, repeats: 3).result
        #expect(f.httpRequests == 18 && f.commandRequests == 12)
        #expect(before.suite("priority")?.cases[0].runOutputs == [RunOutput(output: "\"high\"", runs: 3)])
        try f.writeConfig(priorityScorer: "contains")
        var lines = (0..<4).map {
            caseLine("p\($0)", $0 % 2 == 0 ? "site down \($0)" : "question \($0)", $0 % 2 == 0 ? "high" : "low")
        }
        lines[0] = caseLine("p0", "site down 0", "low")
        try f.repo.write(".evals/cases/priority.jsonl", lines.joined(separator: "\n") + "\n")
        try f.repo.write(
            ".evals/prices.json", #"{"gpt-4o-mini": {"input_per_million": 0.3, "output_per_million": 1.25}}"#)
        try f.repo.commitAll("a new scorer, an expected answer and prices")
        let after = try f.evaluator.evaluate(.workingTree, repeats: 3).result
        #expect(f.httpRequests == 18 && f.commandRequests == 12, "no model was asked again")
        let priority = try #require(after.suite("priority"))
        #expect(priority.reuse?.rescored == 4)
        #expect(
            priority.cases.map(\.passCount) == [0, 3, 3, 3] && priority.cases[0].passed == false
                && priority.cases[0].score == 0)
        #expect(priority.metrics.accuracy == 0.75)
        let router = try #require(after.suite("router"))
        #expect(router.reuse?.repriced == 6)
        let price = PriceTable.Price(
            inputPerMillion: Decimal(string: "0.3")!, outputPerMillion: Decimal(string: "1.25")!)
        for c in router.cases {
            let usage = try #require(c.usage)
            let cost = try #require(
                price.cost(promptTokens: usage["prompt_tokens"]! * 3, completionTokens: usage["completion_tokens"]! * 3)
            )
            #expect(c.costUSD == cost / 3)
        }
    }

    @Test func runsWithDifferentOutputsAreCountedOutputByOutput() throws {
        var answer = CaseResult(
            id: "c", passed: true, score: 2.0 / 3, latencyMs: 1, output: "\"a\"", runs: 3, passes: 2)
        answer.runOutputs = [RunOutput(output: "\"a\"", runs: 2), RunOutput(output: "\"b\"", runs: 1)]
        #expect(Evaluation.rescore(&answer, .exact(.init()), expected: .string("b"), ScoringSession()))
        #expect(answer.passes == 1 && answer.passed == false && answer.output == "\"a\"")
        #expect(abs(answer.score - 1.0 / 3) < 1e-12)
        answer.runOutputs = nil
        #expect(
            !Evaluation.rescore(&answer, .exact(.init()), expected: .string("a"), ScoringSession()),
            "without its runs' outputs a repeated case runs again")
    }
}
