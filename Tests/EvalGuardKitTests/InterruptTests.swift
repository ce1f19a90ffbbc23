import Foundation
import Testing
@testable import EvalGuardSupport

@Suite struct InterruptTests {
    @Test func ctrlCStopsTheModelRemovesTheCheckoutAndWritesNothing() throws {
        let repo = try ScratchRepository()
        let pidFile = repo.path("model.pid")
        try repo.setUpEvals(model: """
            import json, os, sys, time
            open(\(JSONValue.string(pidFile).canonicalText), "w").write(str(os.getpid()))
            for line in sys.stdin:
                time.sleep(60)
            """, cases: [caseLine("a", "x")])
        try repo.commitAll("A model that never answers")
        let binary = try #require(evalguardBinary())
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--commit", "HEAD"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: pidFile) && Date() < deadline { usleep(20_000) }
        usleep(100_000)
        let modelPID = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""))
        process.interrupt()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(kill(modelPID, 0) != 0, "the model process is still running")
        #expect(repo.resultFiles.isEmpty)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
            .filter { $0.hasPrefix("evalguard-\(repo.head.prefix(12))") }
        #expect(leftovers.isEmpty, "the isolated checkout was left behind: \(leftovers)")
    }
}
