import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// A certificate authority made by openssl in a temporary directory, and server certificates it
/// signs; removed when the value goes away.
final class TestAuthority {
    let directory: String
    var certificate: String { directory + "/ca.pem" }

    init() throws {
        directory = NSTemporaryDirectory() + "evalguard-ca-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.openssl(
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-keyout", directory + "/ca.key", "-out", certificate, "-subj", "/CN=evalguard test CA",
            ], in: directory)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// A server certificate for `names` (subjectAltName entries: `DNS:localhost`, `IP:127.0.0.1`).
    func issue(_ names: String) throws -> (certificate: String, key: String) {
        let base = directory + "/" + UUID().uuidString
        try Self.openssl(
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=evalguard test server",
            ], in: directory)
        try "subjectAltName=\(names)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try Self.openssl(
            [
                "x509", "-req", "-in", base + ".csr", "-CA", certificate, "-CAkey", directory + "/ca.key",
                "-set_serial", "\(UInt32.random(in: 1...UInt32.max))", "-days", "2", "-extfile", base + ".ext",
                "-out", base + ".pem",
            ], in: directory)
        return (base + ".pem", base + ".key")
    }

    static func openssl(_ arguments: [String], in directory: String) throws {
        let r = try Shell.run(["openssl"] + arguments, in: directory)
        guard r.status == 0 else { throw TestFailure("openssl \(arguments[0]) failed: \(r.stderr)") }
    }
}

/// https through OpenSSL 3: TLS 1.3, the certificate checks, and libssl loaded only by a process
/// that speaks https.
@Suite struct TLSTests {
    static let key = "sk-tls-secret-4a7e"

    /// The test's environment without the machine's proxy and certificate variables, plus `extra`.
    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in ProxyTests.proxyVariables + ["SSL_CERT_FILE", "SSL_CERT_DIR"] { env[name] = nil }
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

    /// A server accepting only TLS 1.3, with a certificate for `names` from `authority`.
    func server(_ authority: TestAuthority, names: String, _ extra: [String] = []) throws -> OpenAITestServer {
        let issued = try authority.issue(names)
        return try OpenAITestServer(
            ["--key", Self.key, "--tls-cert", issued.certificate, "--tls-key", issued.key, "--tls-min", "1.3"] + extra)
    }

    @Test func aServerThatAcceptsOnlyTLS13IsAnsweredOverTLS13() throws {
        let authority = try TestAuthority()
        let server = try server(authority, names: "DNS:localhost")
        let repo = try repository(baseURL: server.secureBaseURL)
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root, environment: environment(["SSL_CERT_FILE": authority.certificate]))
        #expect(r.status == 0, "\(r.stderr)")
        let requests = try server.requests()
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0["tls"] == .string("TLSv1.3") }, "\(requests.map { $0["tls"] })")
        for output in [r.stdout, r.stderr] { #expect(!output.contains(Self.key)) }
    }

    @Test func anAddressIsCheckedAgainstTheCertificatesAddressEntries() throws {
        let authority = try TestAuthority()
        let byAddress = try server(authority, names: "IP:127.0.0.1")
        let first = try repository(baseURL: "https://127.0.0.1:\(byAddress.port)/v1", cases: 1)
        let good = try runBinary(
            ["run", "--fresh"], in: first.root, environment: environment(["SSL_CERT_FILE": authority.certificate]))
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try byAddress.requests().count == 1)

        let byName = try server(authority, names: "DNS:localhost")
        let second = try repository(baseURL: "https://127.0.0.1:\(byName.port)/v1", cases: 1)
        let bad = try runBinary(
            ["run", "--fresh"], in: second.root, environment: environment(["SSL_CERT_FILE": authority.certificate]))
        #expect(bad.status == 3, "\(bad.stderr)")
        #expect(
            bad.stderr.contains(
                "TLS with 127.0.0.1 failed: the server's certificate was not accepted (IP address mismatch)"),
            "\(bad.stderr)")
        #expect(try byName.requests().isEmpty)
    }

    @Test func aCertificateForAnotherNameIsRefused() throws {
        let authority = try TestAuthority()
        let server = try server(authority, names: "DNS:elsewhere.test")
        let repo = try repository(baseURL: server.secureBaseURL, cases: 2)
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root, environment: environment(["SSL_CERT_FILE": authority.certificate]))
        #expect(r.status == 3, "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "TLS with localhost failed: the server's certificate was not accepted (hostname mismatch)"),
            "\(r.stderr)")
        #expect(try server.requests().isEmpty, "nothing, the key least of all, was sent")
        for output in [r.stdout, r.stderr] { #expect(!output.contains(Self.key)) }
    }

    @Test func aCertificateFromAnUntrustedAuthorityIsRefused() throws {
        let authority = try TestAuthority()
        let stranger = try TestAuthority()
        let server = try server(authority, names: "DNS:localhost")
        let repo = try repository(baseURL: server.secureBaseURL, cases: 2)
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root, environment: environment(["SSL_CERT_FILE": stranger.certificate]))
        #expect(r.status == 3, "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "TLS with localhost failed: the server's certificate was not accepted (unable to get local issuer certificate)"
            ), "\(r.stderr)")
        #expect(r.stderr.contains("SSL_CERT_FILE"), "the hint says where trust comes from: \(r.stderr)")
        #expect(try server.requests().isEmpty)
    }

    @Test func aHashedDirectoryInSSLCertDirIsTrusted() throws {
        let authority = try TestAuthority()
        let server = try server(authority, names: "DNS:localhost")
        let directory = authority.directory + "/trusted"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: authority.certificate, toPath: directory + "/ca.pem")
        let rehash = try Shell.run(["openssl", "rehash", directory])
        #expect(rehash.status == 0, "\(rehash.stderr)")
        let repo = try repository(baseURL: server.secureBaseURL, cases: 2)
        let r = try runBinary(["run", "--fresh"], in: repo.root, environment: environment(["SSL_CERT_DIR": directory]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try server.requests().map { $0["tls"] } == [.string("TLSv1.3"), .string("TLSv1.3")])
        // A directory whose certificates were never named by their hash trusts nothing: a clear error.
        let r2 = try runBinary(
            ["run", "--fresh"], in: repo.root, environment: environment(["SSL_CERT_DIR": authority.directory]))
        #expect(r2.status == 3, "\(r2.stderr)")
        #expect(
            r2.stderr.contains("SSL_CERT_DIR names \(authority.directory), which holds no hashed certificates"),
            "\(r2.stderr)")
        #expect(r2.stderr.contains("openssl rehash"))
    }

    @Test func whereTrustComesFrom() throws {
        let authority = try TestAuthority()
        let hashed = authority.directory + "/hashed"
        let plain = authority.directory + "/plain"
        for d in [hashed, plain] {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        try "x".write(toFile: hashed + "/5ad8a5d6.0", atomically: true, encoding: .utf8)
        try "x".write(toFile: plain + "/ca.pem", atomically: true, encoding: .utf8)
        let bundles = [authority.directory + "/missing.crt", authority.certificate]
        func source(_ environment: [String: String], directories: [String]) throws -> TLSAuthorities.Source {
            try TLSAuthorities.source(environment: environment, systemDirectories: directories, systemBundles: bundles)
        }
        #expect(
            try source([:], directories: [plain, hashed]) == .directory(hashed), "the system's hashed directory first")
        #expect(
            try source([:], directories: [plain]) == .bundle(authority.certificate), "else the first readable bundle")
        #expect(
            try source(["SSL_CERT_FILE": authority.certificate, "SSL_CERT_DIR": hashed], directories: [])
                == .bundle(authority.certificate))
        #expect(try source(["SSL_CERT_FILE": "", "SSL_CERT_DIR": hashed], directories: []) == .directory(hashed))
        #expect(throws: EvalGuardError.self) { try source(["SSL_CERT_DIR": plain], directories: [hashed]) }
        #expect(throws: EvalGuardError.self) {
            try TLSAuthorities.source(
                environment: [:], systemDirectories: [plain], systemBundles: [authority.directory + "/missing.crt"])
        }
    }

    @Test func aBundleWithoutCertificatesIsAClearError() throws {
        let repo = try repository(baseURL: "https://localhost:1/v1", cases: 1)
        let r = try runBinary(
            ["run", "--fresh"], in: repo.root,
            environment: environment(["SSL_CERT_FILE": repo.path(".evals/evalguard.json")]))
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("cannot read the certificate authorities"), "\(r.stderr)")
        #expect(r.stderr.contains(repo.path(".evals/evalguard.json")), "\(r.stderr)")
    }

    // MARK: libssl only where https is spoken

    /// Starts evalguard, waits until `server` holds a request (it answers after --delay-ms), and
    /// returns what evalguard had mapped at that moment and how it exited.
    func mappedWhileAsking(_ server: OpenAITestServer, in repo: ScratchRepository, environment: [String: String]) throws
        -> (maps: String, status: Int32)
    {
        let process = Process()
        process.executableURL = try #require(evalguardBinary())
        process.arguments = ["run", "--fresh"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var maps = ""
        for _ in 0..<1200 where process.isRunning {
            if try !server.requests().isEmpty {
                let file = FileHandle(forReadingAtPath: "/proc/\(process.processIdentifier)/maps")
                maps = String(decoding: file?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
                break
            }
            usleep(25_000)
        }
        process.waitUntilExit()
        return (maps, process.terminationStatus)
    }

    @Test func libsslIsMappedOnlyByAProcessThatSpeaksHTTPS() throws {
        let binary = try #require(evalguardBinary())
        let linked = try Shell.run(["ldd", binary.path])
        #expect(linked.status == 0 && linked.stdout.contains("libgit2"), "\(linked.stderr)")
        // libcrypto is there (libgit2's libssh2 links it); libssl is not, nor is it linked.
        #expect(!linked.stdout.contains("libssl"), "no link-time dependency on libssl: \(linked.stdout)")

        // A command model: the model reads its parent's (evalguard's) mappings.
        let command = try ScratchRepository()
        let seen = command.path("parent-maps.txt")
        try command.setUpEvals(
            model: """
                import json, os, sys
                parent = os.getppid()
                with open(\(JSONValue.string(seen).canonicalText), "w") as f:
                    f.write(open("/proc/%d/comm" % parent).read() + open("/proc/%d/maps" % parent).read())
                for line in sys.stdin:
                    r = json.loads(line)
                    sys.stdout.write(json.dumps({"id": r["id"], "output": r["input"]}) + "\\n")
                    sys.stdout.flush()
                """, cases: [caseLine("a", "x")])
        try command.commitAll("evals")
        let r = try runBinary(["run"], in: command.root, environment: environment([:]))
        #expect(r.status == 0, "\(r.stderr)")
        let parent = try #require(command.read("parent-maps.txt"))
        #expect(parent.hasPrefix("evalguard\n"), "the model's parent is evalguard: \(parent.prefix(40))")
        #expect(parent.contains("libgit2") && !parent.contains("libssl.so"))

        // The openai provider over http, then over https: only the latter maps libssl.
        let authority = try TestAuthority()
        let plain = try OpenAITestServer(["--key", Self.key, "--delay-ms", "1500"])
        let plainRepo = try repository(baseURL: plain.baseURL, cases: 1)
        let overHTTP = try mappedWhileAsking(plain, in: plainRepo, environment: environment([:]))
        #expect(overHTTP.status == 0)
        #expect(overHTTP.maps.contains("libgit2"), "\(overHTTP.maps.prefix(300))")
        #expect(!overHTTP.maps.contains("libssl.so"))

        let secure = try server(authority, names: "DNS:localhost", ["--delay-ms", "1500"])
        let secureRepo = try repository(baseURL: secure.secureBaseURL, cases: 1)
        let overHTTPS = try mappedWhileAsking(
            secure, in: secureRepo, environment: environment(["SSL_CERT_FILE": authority.certificate]))
        #expect(overHTTPS.status == 0)
        #expect(overHTTPS.maps.contains("libssl.so.3"))
    }

    static let canUnshare: Bool = (try? Shell.run(["unshare", "-m", "true"]).status) == 0

    @Test(
        .enabled(
            if: canUnshare,
            "skipped: 'unshare -m' is unavailable here (not root / no CAP_SYS_ADMIN), so libssl cannot be hidden"))
    func withoutLibsslAnHTTPSRunStopsNamingThePackage() throws {
        let cache = try Shell.run(["ldconfig", "-p"])
        let line = try #require(cache.stdout.split(separator: "\n").first { $0.contains("libssl.so.3 ") })
        let library = URL(fileURLWithPath: String(try #require(line.components(separatedBy: "=> ").last)))
            .resolvingSymlinksInPath().path
        let repo = try repository(baseURL: "https://localhost:\(OpenAITestServer.closedPort())/v1", cases: 1)
        let binary = try #require(evalguardBinary())
        // /dev/null over libssl.so.3 in a private mount namespace: dlopen finds no library there.
        let r = try Shell.run(
            [
                "unshare", "-m", "sh", "-c", "mount --bind /dev/null \"$0\" && exec \"$@\"", library, binary.path,
                "run", "--fresh",
            ],
            in: repo.root, environment: environment([:]))
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("https needs OpenSSL 3, which could not be loaded"), "\(r.stderr)")
        #expect(r.stderr.contains("apt-get install libssl3"), "\(r.stderr)")
        // The same run with the library in place gets as far as connecting.
        let reachable = try runBinary(["run", "--fresh"], in: repo.root, environment: environment([:]))
        #expect(reachable.status == 3 && reachable.stderr.contains("connection refused"), "\(reachable.stderr)")
    }
}
