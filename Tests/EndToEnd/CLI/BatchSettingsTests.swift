import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// What a user writes to batch (`"batch"`, `"batch_poll_s"`, `--max-wait`), checked where it is
/// written, and what evalguard accepts from a batch API before it goes into a request.
@Suite struct BatchSettingsTests {
    @Test func batchOnAModelWithoutABatchAPIIsAnErrorAtItsLine() throws {
        let text =
            "{\"model\": {\"command\": [\"python3\", \"m.py\"],\n \"batch\": true},\n \"suites\": {\"s\": {\"cases\": \"c.jsonl\"}}}"
        #expect {
            try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
        } throws: { error in
            let e = error as? EvalGuardError
            return e?.location == ".evals/evalguard.json:2"
                && e?.message.contains("needs a provider with a batch API") == true
        }
        let model = try openAIConfig(#"{"provider": "openai", "model": "m", "batch": true, "batch_poll_s": 5}"#)
        #expect(model.batch && model.batchPollSeconds == 5)
        #expect(try openAIConfig(#"{"provider": "openai", "model": "m"}"#).batchPollSeconds == 30)
        #expect(try openAIConfig(#"{"provider": "anthropic", "model": "m", "max_tokens": 8, "batch": true}"#).batch)
        // Neither changes the requests: not part of the suites' key.
        #expect(model.keySettings == (try openAIConfig(#"{"provider": "openai", "model": "m"}"#)).keySettings)
    }

    @Test func maxWaitTakesADurationAndRefusesAnythingElse() throws {
        #expect(
            try BatchOption.duration("90s") == 90 && BatchOption.duration("30m") == 1800
                && BatchOption.duration("2h") == 7200)
        #expect(try BatchOption.duration("1d") == 86_400 && BatchOption.duration("45") == 45)
        for bad in ["soon", "-1m", "m", ""] {
            #expect(throws: UsageError.self) { try BatchOption.duration(bad) }
        }
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "alpha")])
        let r = repo.evalguard("run", "--batch", "--max-wait", "later")
        #expect(r.status == 2 && r.stderr.contains("Invalid value 'later' for '--max-wait'"), "\(r.stderr)")
    }

    @Test func onlyPlainIDsFromABatchAPIGoIntoARequestPath() {
        for good in ["batch_abc123", "file-XYZ", "batch_1", "file-abc.jsonl", "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d"] {
            #expect(BatchHTTP.isID(good))
        }
        for bad in ["", "..", "a b", "a/b", "batch_1\r\nX-Evil: 1", "batch?x=1", String(repeating: "a", count: 201)] {
            #expect(!BatchHTTP.isID(bad), "\(bad)")
        }
    }

    @Test func onlyAURLOnTheBaseURLsSchemeHostAndPortIsReadWithTheKey() throws {
        let provider = try anthropicProvider(
            #"{"provider": "anthropic", "base_url": "http://127.0.0.1:9", "model": "m", "max_tokens": 8}"#, key: "k")
        let http = try BatchHTTP(name: "Anthropic's Message Batches", provider: provider)
        #expect(
            try http.target(of: "http://127.0.0.1:9/v1/messages/batches/b/results", "results_url")
                == "/v1/messages/batches/b/results")
        let elsewhere = [
            "https://127.0.0.1:9/r", "http://127.0.0.1:10/r", "http://127.0.0.2:9/r",
            "http://127.0.0.1:9@evil.example/r",
            "http://127.0.0.1:9/r\r\nX-Evil: 1", "http://127.0.0.1:9/a b", "/v1/relative", "ftp://127.0.0.1:9/r",
        ]
        for url in elsewhere {
            #expect(throws: EvalGuardError.self, "\(url)") { try http.target(of: url, "results_url") }
        }
    }

    @Test func aBatchAPIThatRefusesTheKeyStopsTheRunNamingIt() throws {
        let server = try OpenAITestServer(["--key", "right"])
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "api_key_env": "EVAL_KEY"},
             "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}}}
            """)
        try repo.write(".evals/cases/main.jsonl", caseLine("a", "alpha") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("evals")
        let environment = ProcessInfo.processInfo.environment.merging(["EVAL_KEY": "wrong-key"]) { _, new in new }
        let r = try runBinary(["run", "--batch"], in: repo.root, environment: environment)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("OpenAI's Batch API answered HTTP 401 uploading the batch's requests"), "\(r.stderr)")
        #expect(!r.stderr.contains("wrong-key"))
        #expect(repo.read(".evals/results/batches/model.json") == nil)
    }
}
