import Foundation

/// A stand-in server written in Python under Fixtures/, started on 127.0.0.1 with
/// `--log FILE` plus the given arguments. It prints `PORT <n>` once it listens (the readiness
/// line this waits for) and records every request it answers in the log, one JSON object per
/// line. Killed when the value goes away.
final class ScriptServer {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    let process = Process()
    let port: Int
    let logPath: String

    init(script: String, arguments: [String] = []) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(script)-\(UUID().uuidString).jsonl").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.fixtures + "/" + script, "--log", logPath] + arguments
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
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else { throw TestFailure("unexpected: \(text)") }
        self.port = port
    }

    deinit {
        // SIGKILL: a child of the test runner may start with SIGTERM blocked, and then ignores it.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// The log's lines so far.
    func logLines() -> [Substring] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n")
    }
}
