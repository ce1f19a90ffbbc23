import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// Fixtures/connect_proxy.py on 127.0.0.1, logging every CONNECT it receives; stopped when the
/// value goes away.
final class TestProxy {
    let server: ScriptServer
    var port: Int { server.port }

    init(_ arguments: [String] = []) throws {
        server = try ScriptServer(script: "connect_proxy.py", arguments: arguments)
    }

    /// The tunnels asked for, in order: method, target and Proxy-Authorization of each.
    func tunnels() throws -> [JSONValue] {
        try server.logLines().map { try JSONParser.parse(String($0)) }
    }
}

@Suite struct ProxyTests {
    static let key = "sk-proxy-secret-77"
    static let proxyVariables = [
        "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
    ]

    /// The test's environment without any proxy variable of the machine, plus `extra`.
    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in Self.proxyVariables { env[name] = nil }
        env["EVAL_KEY"] = Self.key
        env.merge(extra) { _, new in new }
        return env
    }

    func repository(baseURL: String, cases: Int = 3) throws -> ScratchRepository {
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"provider": "openai", "base_url": "\(baseURL)", "model": "m", "api_key_env": "EVAL_KEY",
                       "messages": [{"role": "user", "content": "{{input}}"}], "retry_backoff_s": 0.01, "jobs": 2},
             "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}}}
            """)
        try repo.write(
            ".evals/cases/main.jsonl",
            (0..<cases).map { caseLine("c\($0)", "word\($0)") }.joined(separator: "\n") + "\n")
        try repo.write(".evals/.gitignore", "results/\n")
        try repo.commitAll("evals")
        return repo
    }

    // MARK: end to end, through the local proxy

    @Test func httpsGoesThroughAConnectTunnelWithTheProxyCredentials() throws {
        let tls = try OpenAIEndToEndTests.testCertificate()
        defer { try? FileManager.default.removeItem(atPath: tls.directory) }
        // A server that accepts TLS 1.3 only: the handshake runs inside the tunnel.
        let server = try OpenAITestServer([
            "--key", Self.key, "--tls-cert", tls.cert, "--tls-key", tls.key, "--tls-min", "1.3",
        ])
        let proxy = try TestProxy(["--auth", "alice:s3cr@t"])
        let repo = try repository(baseURL: server.secureBaseURL)
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root,
            environment: environment([
                "SSL_CERT_FILE": tls.cert, "HTTPS_PROXY": "http://alice:s3cr%40t@127.0.0.1:\(proxy.port)",
            ]))
        #expect(r.status == 0, "\(r.stderr)")
        let requests = try server.requests()
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0["tls"] == .string("TLSv1.3") }, "\(requests.map { $0["tls"] })")
        let tunnels = try proxy.tunnels()
        #expect(!tunnels.isEmpty && tunnels.count <= 2, "one tunnel per connection (2 jobs): \(tunnels)")
        for t in tunnels {
            #expect(t["method"] == .string("CONNECT"))
            #expect(t["target"] == .string("localhost:\(server.port)"))
            #expect(t["authorization"] == .string("Basic " + Data("alice:s3cr@t".utf8).base64EncodedString()))
        }
        for output in [r.stdout, r.stderr] { #expect(!output.contains(Self.key) && !output.contains("s3cr")) }
    }

    @Test func lowercaseWinsAndPlainHTTPIsTunnelledToo() throws {
        let server = try OpenAITestServer(["--key", Self.key])
        let proxy = try TestProxy()
        let repo = try repository(baseURL: server.baseURL, cases: 2)
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root,
            environment: environment([
                "http_proxy": "127.0.0.1:\(proxy.port)",
                "HTTP_PROXY": "http://127.0.0.1:\(OpenAITestServer.closedPort())",
            ]))
        #expect(r.status == 0, "\(r.stderr)")
        let tunnels = try proxy.tunnels()
        #expect(!tunnels.isEmpty)
        #expect(
            tunnels.allSatisfy { $0["target"] == .string("127.0.0.1:\(server.port)") && $0["authorization"] == .null },
            "\(tunnels)")
    }

    @Test func noProxyReachesTheHostDirectly() throws {
        let server = try OpenAITestServer(["--key", Self.key])
        let proxy = try TestProxy()
        let repo = try repository(baseURL: server.baseURL, cases: 2)
        for list in ["localhost,127.0.0.1", "*", "10.0.0.0/8, 127.0.0.0/8", "127.0.0.1:\(server.port)"] {
            let r = try runBinary(
                ["run", "--fresh"], in: repo.root,
                environment: environment([
                    "HTTP_PROXY": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": list,
                ]))
            #expect(r.status == 0, "\(list): \(r.stderr)")
        }
        #expect(try proxy.tunnels().isEmpty)
        // A port that is not the server's: the proxy is used.
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root,
            environment: environment([
                "HTTP_PROXY": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": "127.0.0.1:1",
            ]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try proxy.tunnels().count >= 1)
    }

    @Test func wrongProxyCredentialsStopTheRunWithExitThreeNamingTheVariable() throws {
        let server = try OpenAITestServer(["--key", Self.key])
        let proxy = try TestProxy(["--auth", "alice:right"])
        let repo = try repository(baseURL: server.baseURL, cases: 2)
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root,
            environment: environment([
                "HTTP_PROXY": "http://alice:wrong@127.0.0.1:\(proxy.port)"
            ]))
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("refused a tunnel to 127.0.0.1:\(server.port): 407"), "\(r.stderr)")
        #expect(r.stderr.contains("$HTTP_PROXY") && !r.stderr.contains("wrong@"), "\(r.stderr)")
        #expect(try server.requests().isEmpty)
    }

    @Test func anUnsupportedProxySchemeIsAClearError() throws {
        let repo = try repository(baseURL: "https://api.example.invalid/v1", cases: 1)
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root, environment: environment(["HTTPS_PROXY": "socks5://127.0.0.1:1080"]))
        #expect(r.status != 0)
        #expect(r.stderr.contains("the proxy in $HTTPS_PROXY uses the scheme 'socks5://'"), "\(r.stderr)")
    }

    // MARK: reading the variables

    @Test func proxyURLsParseAsCurlReadsThem() throws {
        let p = try HTTPProxy.parse("http://u%3Ax:p%40ss@proxy.corp:3128/", variable: "HTTPS_PROXY")
        #expect(p.host == "proxy.corp" && p.port == 3128)
        #expect(p.authorization == "Basic " + Data("u:x:p@ss".utf8).base64EncodedString())
        #expect(try HTTPProxy.parse("proxy.corp", variable: "x").port == 1080)
        #expect(
            try HTTPProxy.parse("[::1]:8080", variable: "x")
                == HTTPProxy(host: "::1", port: 8080, authorization: nil, variable: "x"))
        #expect(throws: EvalGuardError.self) { try HTTPProxy.parse("https://proxy:443", variable: "x") }
        let https = try #require(HTTPEndpoint("https://api.openai.com/v1/chat/completions"))
        #expect(
            try HTTPProxy.forEndpoint(https, environment: ["HTTP_PROXY": "p:1"]) == nil, "http_proxy is for http URLs")
        #expect(try HTTPProxy.forEndpoint(https, environment: ["ALL_PROXY": "p:1"])?.host == "p")
        #expect(
            String(
                decoding: try #require(try HTTPProxy.forEndpoint(https, environment: ["https_proxy": "p:1"]))
                    .connectRequest(to: https), as: UTF8.self)
                == "CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n")
    }

    @Test func noProxyMatchesSuffixesAddressesRangesAndPorts() throws {
        let list = try NoProxy(
            ".corp.example, internal ,10.0.0.0/8 192.168.1.7 [::1]:8443 models.local:8080 fd00::/8",
            variable: "NO_PROXY")
        #expect(list.matches(host: "api.corp.example", port: 443))
        #expect(list.matches(host: "corp.example", port: 443))
        #expect(list.matches(host: "INTERNAL", port: 80))
        #expect(!list.matches(host: "notinternal", port: 80), "a suffix match is on a dot boundary")
        #expect(!list.matches(host: "example", port: 443))
        #expect(list.matches(host: "10.20.30.40", port: 443))
        #expect(!list.matches(host: "11.0.0.1", port: 443))
        #expect(list.matches(host: "192.168.1.7", port: 1))
        #expect(!list.matches(host: "192.168.1.8", port: 1))
        #expect(list.matches(host: "::1", port: 8443) && !list.matches(host: "::1", port: 443))
        #expect(list.matches(host: "models.local", port: 8080) && !list.matches(host: "models.local", port: 443))
        #expect(list.matches(host: "fd12::1", port: 443) && !list.matches(host: "fe80::1", port: 443))
        #expect(try NoProxy("*", variable: "NO_PROXY").matches(host: "anything", port: 1))
        #expect(try !NoProxy("", variable: "NO_PROXY").matches(host: "anything", port: 1))
        #expect(try NoProxy("0.0.0.0/0 ::/0", variable: "NO_PROXY").matches(host: "8.8.8.8", port: 1))
        #expect(try NoProxy("10.0.0.0/32, fd00::/128", variable: "NO_PROXY").matches(host: "fd00::", port: 1))
    }

    @Test func aNoProxyPrefixOutsideTheAddressIsAnErrorNamingTheVariable() {
        for (entry, words) in [
            ("127.0.0.1/-8", "0 to 32"), ("127.0.0.1/-1", "0 to 32"), ("10.0.0.0/33", "0 to 32"),
            ("10.0.0.0/", "0 to 32"), ("10.0.0.0/eight", "0 to 32"), ("10.0.0.0/+8", "0 to 32"),
            ("fd00::/129", "0 to 128"), ("fd00::/-8", "0 to 128"), ("example.com/8", "IP address only"),
        ] {
            #expect {
                _ = try NoProxy("localhost, \(entry)", variable: "no_proxy")
            } throws: { error in
                "\(error)".contains("$no_proxy has '\(entry)'") && "\(error)".contains(words)
                    && (error as? EvalGuardError)?.exitCode == .usage
            }
        }
    }

    @Test func aRunWithANegativeNoProxyPrefixExitsTwoNamingTheVariable() throws {
        let server = try OpenAITestServer(["--key", Self.key])
        let proxy = try TestProxy()
        let repo = try repository(baseURL: server.baseURL, cases: 2)
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root,
            environment: environment([
                "HTTP_PROXY": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": "127.0.0.1/-8",
            ]))
        #expect(r.status == 2, "\(r.stderr)")
        #expect(
            r.stderr.contains("$NO_PROXY has '127.0.0.1/-8': the prefix must be a number of bits from 0 to 32"),
            "\(r.stderr)")
        #expect(try server.requests().isEmpty && proxy.tunnels().isEmpty)
    }
}
