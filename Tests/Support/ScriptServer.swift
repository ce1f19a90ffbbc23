import Foundation

/// A server written in Python (a stand-in under Fixtures/, or a real model), started on 127.0.0.1 with
/// `--log FILE` plus the given arguments. It prints `PORT <n>` once it listens (the readiness
/// line this waits for) and records every request it answers in the log, one JSON object per
/// line. Killed when the value goes away.
package final class ScriptServer {
    package static var fixtures: String { TestPaths.fixtures }

    package let process = Process()
    package let port: Int
    package let logPath: String

    package convenience init(script: String, arguments: [String] = []) throws {
        try self.init(path: Self.fixtures + "/" + script, arguments: arguments)
    }

    /// A server script anywhere in the repository, for example scripts/real-model/serve.py.
    package init(path: String, arguments: [String] = []) throws {
        let script = URL(fileURLWithPath: path).lastPathComponent
        logPath =
            FileManager.default.temporaryDirectory.appendingPathComponent("\(script)-\(UUID().uuidString).jsonl").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path, "--log", logPath] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestFailure("\(script) did not start") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            throw TestFailure("unexpected: \(text)")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child of the test runner may start with SIGTERM blocked, and then ignores it.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// The log's lines so far.
    package func logLines() -> [Substring] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n")
    }
}
