import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardEvaluation
@testable import EvalGuardStore

/// An edit that changes no suite key and nothing a stored answer is scored or priced with (a
/// threshold, a comment) takes every stored suite whole: no case is planned and no model asked.
/// An edit that changes how answers are priced or scored plans that suite case by case.
@Suite(.serialized) struct WholeSuiteReuseTests {
    @Test func aThresholdAndCommentEditTakesEverySuiteWholeAndAsksNoModel() throws {
        let f = try PerSuiteReuseFixture()
        let before = try f.evaluator.evaluate(.workingTree).result
        try f.writeConfig(comment: "Owned by the backend team.", accuracyDrop: 0.05)
        try f.repo.commitAll("a threshold and a comment")
        let evaluator = f.evaluator
        let after = try evaluator.evaluate(.workingTree)
        #expect(f.httpRequests == 6 && f.commandRequests == 4, "no model was asked again")
        #expect(evaluator.plannedCases == 0 && evaluator.suitesTakenWhole == 2)
        #expect(after.reusedAnswers && !after.reused)
        #expect(after.result.key != before.key && after.result.commit == f.repo.head)
        for old in before.suites {
            let suite = try #require(after.result.suite(old.name))
            #expect(suite.cases == old.cases && suite.metrics == old.metrics)
            #expect(suite.key == old.key && suite.model == old.model)
            let reuse = try #require(suite.reuse)
            #expect(reuse.wholeSuite && reuse.reused == old.cases.count && reuse.ran.isEmpty)
            #expect(reuse.from == [before.commit] && reuse.rescored == 0 && reuse.repriced == 0)
        }
        // Stored under the new evaluation key: the next evaluation reuses the result as it is.
        let again = f.evaluator
        #expect(try again.evaluate(.workingTree).reused)
        #expect(again.plannedCases == 0 && again.suitesTakenWhole == 0)
    }

    @Test func aPriceEditPlansTheRepricedSuiteAndTakesTheOtherWhole() throws {
        let f = try PerSuiteReuseFixture()
        _ = try f.evaluator.evaluate(.workingTree)
        try f.repo.write(
            ".evals/prices.json", #"{"gpt-4o-mini": {"input_per_million": 0.3, "output_per_million": 1.25}}"#)
        try f.repo.commitAll("new prices")
        let evaluator = f.evaluator
        let after = try evaluator.evaluate(.workingTree).result
        #expect(f.httpRequests == 6 && f.commandRequests == 4)
        #expect(evaluator.plannedCases == 6 && evaluator.suitesTakenWhole == 1)
        #expect(after.suite("router")?.reuse?.repriced == 6)
        #expect(after.prices?["input_per_million"] == .number(0.3))
        #expect(after.suite("priority")?.reuse?.wholeSuite == true)
    }

    @Test func aScorerEditPlansTheRescoredSuiteAndTakesTheOtherWhole() throws {
        let f = try PerSuiteReuseFixture()
        _ = try f.evaluator.evaluate(.workingTree)
        try f.writeConfig(priorityScorer: "contains")
        try f.repo.commitAll("another scorer")
        let evaluator = f.evaluator
        let after = try evaluator.evaluate(.workingTree).result
        #expect(f.httpRequests == 6 && f.commandRequests == 4)
        #expect(evaluator.plannedCases == 4 && evaluator.suitesTakenWhole == 1)
        #expect(after.suite("priority")?.reuse?.rescored == 4)
        #expect(after.suite("router")?.reuse?.wholeSuite == true)
    }
}
