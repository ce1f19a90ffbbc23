import Foundation

@testable import EvalGuardSupport

/// Fixtures/forge_server.py on 127.0.0.1: the GitHub and GitLab comment endpoints and a release
/// download directory. `requests()` reads what it received, in order.
package final class ForgeTestServer {
    package let server: ScriptServer
    package var port: Int { server.port }
    package var logPath: String { server.logPath }
    package static let token = "test-token"
    package var url: String { "http://127.0.0.1:\(port)" }

    /// `files`: served under /download/; `seed`: comments by someone else already on each thread.
    package init(files: String? = nil, seed: Int = 0) throws {
        server = try ScriptServer(
            script: "forge_server.py",
            arguments: ["--token", Self.token, "--seed", String(seed)] + (files.map { ["--files", $0] } ?? []))
    }

    package struct Request {
        package var method: String
        package var path: String
        package var query: String
        package var auth: String?
        package var body: String?
        package var status: Int
        /// The comment a POST created or a PATCH/PUT edited.
        package var id: Int?
    }

    package func requests() throws -> [Request] {
        try server.logLines().map { line in
            let json = try JSONParser.parse(String(line))
            return Request(
                method: json["method"]?.stringValue ?? "", path: json["path"]?.stringValue ?? "",
                query: json["query"]?.stringValue ?? "", auth: json["auth"]?.stringValue,
                body: json["body"]?["body"]?.stringValue,
                status: Int(json["status"]?.numberValue ?? 0), id: json["id"]?.numberValue.map { Int($0) })
        }
    }

    /// Forgets what was received so far (between two runs of a job).
    package func clearLog() throws {
        try Data().write(to: URL(fileURLWithPath: logPath))
    }
}
