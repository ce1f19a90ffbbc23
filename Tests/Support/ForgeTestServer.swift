import Foundation
@testable import EvalGuardSupport

/// Fixtures/forge_server.py on 127.0.0.1: the GitHub and GitLab comment endpoints and a release
/// download directory. `requests()` reads what it received, in order.
final class ForgeTestServer {
    let server: ScriptServer
    var port: Int { server.port }
    var logPath: String { server.logPath }
    static let token = "test-token"
    var url: String { "http://127.0.0.1:\(port)" }

    /// `files`: served under /download/; `seed`: comments by someone else already on each thread.
    init(files: String? = nil, seed: Int = 0) throws {
        server = try ScriptServer(script: "forge_server.py",
                                  arguments: ["--token", Self.token, "--seed", String(seed)] + (files.map { ["--files", $0] } ?? []))
    }

    struct Request {
        var method: String
        var path: String
        var query: String
        var auth: String?
        var body: String?
        var status: Int
        /// The comment a POST created or a PATCH/PUT edited.
        var id: Int?
    }

    func requests() throws -> [Request] {
        try server.logLines().map { line in
            let json = try JSONParser.parse(String(line))
            return Request(method: json["method"]?.stringValue ?? "", path: json["path"]?.stringValue ?? "",
                           query: json["query"]?.stringValue ?? "", auth: json["auth"]?.stringValue,
                           body: json["body"]?["body"]?.stringValue,
                           status: Int(json["status"]?.numberValue ?? 0), id: json["id"]?.numberValue.map { Int($0) })
        }
    }

    /// Forgets what was received so far (between two runs of a job).
    func clearLog() throws {
        try Data().write(to: URL(fileURLWithPath: logPath))
    }
}
