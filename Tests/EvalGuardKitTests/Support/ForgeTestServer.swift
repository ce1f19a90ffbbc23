import Foundation
@testable import EvalGuardSupport

/// Fixtures/forge_server.py on 127.0.0.1: the GitHub and GitLab comment endpoints and a release
/// download directory. `requests()` reads what it received, in order.
final class ForgeTestServer {
    let process = Process()
    let port: Int
    let logPath: String
    static let token = "test-token"
    var url: String { "http://127.0.0.1:\(port)" }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// `files`: served under /download/; `seed`: comments by someone else already on each thread.
    init(files: String? = nil, seed: Int = 0) throws {
        logPath = NSTemporaryDirectory() + "forge-\(UUID().uuidString).jsonl"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.fixtures + "/forge_server.py", "--log", logPath, "--token", Self.token,
                             "--seed", String(seed)] + (files.map { ["--files", $0] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestFailure("the forge test server did not start") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else { throw TestFailure("unexpected: \(text)") }
        self.port = port
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: logPath)
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
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { line in
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
