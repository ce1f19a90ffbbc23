import EvalGuardTestSupport
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardSupport

@Suite struct ConfigTests {
    func parse(_ text: String) throws -> EvalConfig {
        try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
    }

    func error(_ text: String) -> EvalGuardError? {
        do {
            _ = try parse(text)
            return nil
        } catch let e as EvalGuardError { return e } catch { return nil }
    }

    @Test func readsCommentedJSONWithDefaults() throws {
        let config = try parse(
            """
            // a comment
            {
              "model": {"command": ["python3", "m.py"], "jobs": 3,},
              /* block */
              "suites": {"b": {"cases": "cases/b.jsonl"}, "a": {"cases": "a.jsonl", "scorer": {"type": "numeric", "abs_tol": 0.5},
                         "thresholds": {"accuracy": {"max_drop": 0.05}, "avg_cost_usd": false}}},
            }
            """)
        #expect(config.model.command == ["python3", "m.py"])
        #expect(config.model.jobs == 3)
        #expect(config.model.timeoutSeconds == 30)
        #expect(config.suites.map(\.name) == ["a", "b"])
        #expect(config.suites[0].scorer == .numeric(absolute: 0.5, relative: 0))
        #expect(config.suites[0].thresholds.accuracy?.maxDrop == 0.05)
        #expect(config.suites[0].thresholds.avgCost == nil)
        #expect(config.suites[0].thresholds.p95Latency == Thresholds.defaults.p95Latency)
        #expect(config.suites[1].thresholds == Thresholds.defaults)
        #expect(config.suites[1].casesPath == ".evals/cases/b.jsonl")
    }

    @Test func syntaxErrorNamesLineAndColumn() throws {
        let e = try #require(error("{\n  \"model\": {\"command\": [\"x\"]}\n  \"suites\": {}\n}"))
        #expect(e.file == ".evals/evalguard.json")
        #expect(e.line == 3)
        #expect(e.column != nil)
        #expect(e.exitCode == .usage)
    }

    @Test func unknownScorerNamesItsLineAndSuggests() throws {
        let e = try #require(
            error(
                """
                {
                  "model": {"command": ["x"]},
                  "suites": {
                    "intents": {"cases": "c.jsonl",
                                "scorer": "exakt"}
                  }
                }
                """))
        #expect(e.line == 5)
        #expect(e.message.contains("suites.intents.scorer"))
        #expect(e.message.contains("unknown scorer 'exakt'"))
        #expect(e.hint == "Did you mean 'exact'?")
    }

    @Test func unknownKeyIsAnErrorWithSuggestion() throws {
        let e = try #require(
            error("{\"model\": {\"command\": [\"x\"]}, \"suites\": {\"s\": {\"cases\": \"c\"}},\n \"tresholds\": {}}"))
        #expect(e.message == "tresholds: unknown key 'tresholds'")
        #expect(e.hint == "Did you mean 'thresholds'?")
        #expect(e.line == 2)
    }

    @Test func missingPiecesSayWhatToWrite() throws {
        #expect(error("{\"suites\": {\"s\": {\"cases\": \"c\"}}}")?.message.contains("missing \"model\"") == true)
        #expect(error("{\"model\": {\"command\": [\"x\"]}}")?.message.contains("missing \"suites\"") == true)
        #expect(
            error("{\"model\": {\"command\": []}, \"suites\": {\"s\": {\"cases\": \"c\"}}}")?.message.contains("empty")
                == true)
        #expect(
            error("{\"model\": {\"command\": [\"x\"]}, \"suites\": {\"s\": {\"cases\": \"../c\"}}}")?.message.contains(
                "inside .evals/") == true)
        #expect(
            error("{\"model\": {\"command\": [\"x\"], \"jobs\": 0}, \"suites\": {\"s\": {\"cases\": \"c\"}}}")?.message
                .contains("model.jobs") == true)
    }

    @Test func protectedBranchesMustBeStrings() throws {
        let text =
            #"{"model": {"command": ["m"]}, "suites": {"s": {"cases": "c.jsonl"}}, "protected_branches": "main"}"#
        #expect(throws: (any Error).self) {
            try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
        }
        let ok = try EvalConfig.parse(
            ConfigSource(
                displayPath: ".evals/evalguard.json",
                text:
                    #"{"model": {"command": ["m"]}, "suites": {"s": {"cases": "c.jsonl"}}, "protected_branches": ["main", "release/*"]}"#
            ))
        #expect(ok.protectedBranches == ["main", "release/*"])
    }
}

@Suite struct CaseFileTests {
    func parse(_ text: String, scorer: Scorer = .exact(.init())) throws -> [EvalCase] {
        try CaseFile.parse(Array(text.utf8), displayPath: ".evals/cases/x.jsonl", scorer: scorer)
    }

    func error(_ text: String, scorer: Scorer = .exact(.init())) -> EvalGuardError? {
        do {
            _ = try parse(text, scorer: scorer)
            return nil
        } catch let e as EvalGuardError { return e } catch { return nil }
    }

    @Test func readsCasesSkippingBlankLines() throws {
        let cases = try parse(
            "{\"id\": \"a\", \"input\": {\"q\": 1}, \"expected\": \"x\"}\n\n{\"id\": 7, \"input\": \"i\", \"expected\": [1]}\r\n"
        )
        #expect(cases.map(\.id) == ["a", "7"])
        #expect(cases[1].line == 3)
        #expect(cases[0].input == .object(["q": .number(1)]))
    }

    @Test func malformedLineNamesFileLineAndColumn() throws {
        let e = try #require(error("{\"id\": \"a\", \"input\": 1, \"expected\": 1}\n{\"id\": \"b\" \"input\": 1}\n"))
        #expect(e.file == ".evals/cases/x.jsonl")
        #expect(e.line == 2)
        #expect(e.column == 12)
        #expect(e.description.hasPrefix("error: .evals/cases/x.jsonl:2:12: "))
    }

    @Test func nonObjectLineSaysWhatWasExpected() throws {
        let e = try #require(error("\"just a string\"\n"))
        #expect(e.message == "expected an object with \"id\", \"input\" and \"expected\", found a string")
        #expect(e.line == 1)
    }

    @Test func duplicateIdsNameBothLines() throws {
        let e = try #require(
            error(
                "{\"id\": \"a\", \"input\": 1, \"expected\": 1}\n{\"id\": \"b\", \"input\": 1, \"expected\": 1}\n{\"id\": \"a\", \"input\": 2, \"expected\": 2}\n"
            ))
        #expect(e.line == 3)
        #expect(e.message.contains("already used at line 1"))
    }

    @Test func emptySuiteIsAnError() throws {
        #expect(error("\n\n")?.message == "the suite has no cases")
    }

    @Test func missingFieldsAndScorerMismatchesAreCaught() throws {
        #expect(error("{\"id\": \"a\", \"expected\": 1}")?.message == "case a: missing \"input\"")
        #expect(error("{\"input\": 1, \"expected\": 1}")?.message == "missing \"id\"")
        #expect(
            error("{\"id\": \"a\", \"input\": 1, \"expected\": \"(\"}", scorer: .regex)?.message.contains(
                "invalid regular expression") == true)
        #expect(
            error("{\"id\": \"a\", \"input\": 1, \"expected\": \"x\"}", scorer: .oneOf(.init()))?.message.contains(
                "one-of") == true)
    }
}
