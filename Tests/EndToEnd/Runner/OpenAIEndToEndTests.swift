import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardStore

/// `evalguard run` with the openai provider, as a user runs it: the built binary, a scratch
/// repository, a key in the environment that must never come out again.
@Suite struct OpenAIEndToEndTests {
    static let key = "sk-e2e-secret-5f1c9a"

    func repository(_ server: OpenAITestServer, cases: [String], prices: Bool = true, baseURL: String? = nil) throws
        -> ScratchRepository
    {
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {
              // The key is in $EVAL_KEY, never here.
              "model": {"provider": "openai", "base_url": "\(baseURL ?? server.baseURL)", "model": "gpt-4o-mini", "api_key_env": "EVAL_KEY",
                        "messages": [{"role": "user", "content": "{{input}}"}], "retry_backoff_s": 0.01, "jobs": 4},
              "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}}
            }
            """)
        try repo.write(".evals/cases/main.jsonl", cases.joined(separator: "\n") + "\n")
        if prices {
            try repo.write(
                ".evals/prices.json", #"{"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60}}"#)
        }
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("evals")
        return repo
    }

    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.merge(extra) { _, new in new }
        return env
    }

    @Test func runRecordsTokensPricesAndRetriesAndNeverTheKey() throws {
        let server = try OpenAITestServer(["--key", Self.key])
        let repo = try repository(
            server,
            cases: [
                caseLine("a", "hello there"), caseLine("b", "status:429:1 again"),
                caseLine("c", "one two three", "wrong"),
            ])
        let r = try runBinary(["run"], in: repo.root, environment: environment(["EVAL_KEY": Self.key]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1 retried request(s)"))
        let text = try #require(repo.read(".evals/results/\(repo.head).json"))
        let result = try JSONDecoder().decode(RunResult.self, from: Data(text.utf8))
        #expect(result.model["provider"] == .string("openai"))
        #expect(result.model["api_key_env"] == .string("EVAL_KEY"))
        #expect(result.model["prices"]?["input_per_million"] == .number(0.15))
        #expect(result.model["prices"]?["output_per_million"] == .number(0.6))
        let cases = result.suites[0].cases
        #expect(cases.map(\.passed) == [true, true, false])
        #expect(cases[0].usage?["prompt_tokens"] == 2 && cases[0].usage?["completion_tokens"] == 2)
        #expect(cases[0].costUSD == 0.0000015)
        #expect(cases[1].retries == 1 && cases[1].retryMs != nil)
        #expect(result.overall.retries == 1)
        for output in [r.stdout, r.stderr, text] { #expect(!output.contains(Self.key)) }
        // The server did receive it.
        #expect(try server.requests().allSatisfy { $0["headers"]?["authorization"] == .string("Bearer " + Self.key) })
    }

    @Test func aRejectedKeyExitsThreeNamingTheVariableNotTheKey() throws {
        let server = try OpenAITestServer(["--key", "another-key"])
        let repo = try repository(server, cases: [caseLine("a", "hi")])
        let r = try runBinary(["run"], in: repo.root, environment: environment(["EVAL_KEY": Self.key]))
        #expect(r.status == 3)
        #expect(r.stderr.contains("did not accept the API key in the environment variable EVAL_KEY"))
        #expect(!r.stderr.contains(Self.key) && !r.stdout.contains(Self.key))

        let unset = try runBinary(["run"], in: repo.root, environment: environment(["EVAL_KEY": ""]))
        #expect(unset.status == 3)
        #expect(unset.stderr.contains("the environment variable EVAL_KEY is not set"))
    }

    /// A certificate for localhost and its key, made by openssl in a temporary directory.
    static func testCertificate() throws -> (directory: String, cert: String, key: String) {
        let directory = NSTemporaryDirectory() + "evalguard-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let made = try Shell.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            ], in: directory)
        #expect(made.status == 0, "\(made.stderr)")
        return (directory, directory + "/cert.pem", directory + "/key.pem")
    }

    @Test func httpsIsSpokenAndTheServersCertificateIsChecked() throws {
        let tls = try Self.testCertificate()
        defer { try? FileManager.default.removeItem(atPath: tls.directory) }
        let server = try OpenAITestServer(["--key", Self.key, "--tls-cert", tls.cert, "--tls-key", tls.key])
        let repo = try repository(
            server, cases: [caseLine("a", "hello there"), caseLine("b", "status:500:1 again")],
            baseURL: server.secureBaseURL)
        let trusted = try runBinary(
            ["run"], in: repo.root, environment: environment(["EVAL_KEY": Self.key, "SSL_CERT_FILE": tls.cert]))
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(trusted.stdout.contains("1.0000"))
        #expect(try server.requests().count == 3, "one retry after the 500")
        // The system's authorities do not know the test certificate: the run stops, saying why.
        let untrusted = try runBinary(
            ["run", "--fresh"], in: repo.root, environment: environment(["EVAL_KEY": Self.key, "SSL_CERT_FILE": ""]))
        #expect(untrusted.status == 3)
        #expect(untrusted.stderr.contains("TLS with localhost failed: the server's certificate was not accepted"))
        #expect(!untrusted.stderr.contains(Self.key))
    }

    @Test func withoutAPriceTableCostIsLeftOutWithAWarning() throws {
        let server = try OpenAITestServer()
        let repo = try repository(server, cases: [caseLine("a", "hi")], prices: false)
        let r = try runBinary(["run", "--timings"], in: repo.root, environment: environment(["EVAL_KEY": "k"]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains("warning: no price table at .evals/prices.json: cost is not computed for 'gpt-4o-mini'"))
        #expect(r.stderr.contains("evalguard CPU: "))
        #expect(r.stderr.contains("µs per case; wall time "))
        let text = try #require(repo.read(".evals/results/\(repo.head).json"))
        #expect(!text.contains("cost_usd"))
    }
}
