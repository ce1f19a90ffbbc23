import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

@Suite struct InterruptTests {
    @Test func ctrlCStopsTheModelRemovesTheCheckoutAndWritesNothing() throws {
        let repo = try ScratchRepository()
        let pidFile = repo.path("model.pid")
        try repo.setUpEvals(
            model: """
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

    /// Ctrl-C reaches evalguard alone (git leads its own process group, as a terminal's Ctrl-C
    /// would not reach it): evalguard stops git and what git started, waits, removes the file it
    /// keeps git's stderr in, and only then ends as Ctrl-C ends it.
    @Test func ctrlCDuringSyncStopsGitAndWhatItStartedAndLeavesNoTemporaryFile() throws {
        let repo = try ScratchRepository()
        let remote = try ScratchRepository()
        let pidFile = repo.path("upload-pack.pid")
        // The remote's side of the fetch: it says it started, then never answers.
        try repo.write("upload-pack.sh", "#!/bin/sh\necho $$ > '\(pidFile)'\nexec sleep 60\n")
        #expect(chmod(repo.path("upload-pack.sh"), 0o755) == 0)
        try repo.git("remote", "add", "origin", remote.root)
        try repo.git("config", "remote.origin.uploadpack", repo.path("upload-pack.sh"))
        let temporary = repo.path("tmp")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let binary = try #require(evalguardBinary())
        let process = Process()
        process.executableURL = binary
        process.arguments = ["sync", "--no-push"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        var uploadPack: Int32?
        while uploadPack == nil && process.isRunning && Date() < deadline {
            uploadPack = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if uploadPack == nil { usleep(20_000) }
        }
        let pid = try #require(uploadPack, "git never started the remote's upload-pack")
        defer { _ = kill(pid, SIGKILL) }
        process.interrupt()
        process.waitUntilExit()
        #expect(
            process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT,
            "\(process.terminationReason) \(process.terminationStatus)")
        #expect(!isRunning(pid), "git's upload-pack is still running")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)
    }

    /// A result of tens of megabytes takes long enough to write that Ctrl-C can land in it: the
    /// temporary file is removed, nothing is stored, and merge says it was interrupted.
    @Test func ctrlCDuringMergeLeavesNoTemporaryFile() throws {
        let repo = try ScratchRepository()
        let text = String(repeating: "x", count: 400)
        try repo.setUpEvals(
            model: Models.echo(), cases: (0..<20_000).map { caseLine("c\($0)", "\($0) \(text)", "\($0) \(text)") })
        try repo.commitAll("Many cases with long answers")
        for i in 1...2 {
            let share = repo.evalguard("run", "--shard", "\(i)/2")
            try #require(share.status == 0, "\(share.stderr)")
        }
        let binary = try #require(evalguardBinary())
        let process = Process()
        process.executableURL = binary
        process.arguments = ["merge", ".evals/results/shards/\(repo.head)"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        func temporaryFiles() -> [String] { repo.resultFiles.filter { $0.hasPrefix(".") && $0.contains(".tmp-") } }
        let deadline = Date().addingTimeInterval(120)
        while temporaryFiles().isEmpty && process.isRunning && Date() < deadline { usleep(1_000) }
        try #require(!temporaryFiles().isEmpty, "merge never started writing the result")
        process.interrupt()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(
            process.terminationReason == .exit && process.terminationStatus == 130,
            "\(process.terminationStatus): \(stderr)")
        #expect(temporaryFiles().isEmpty)
        #expect(!repo.resultFiles.contains("\(repo.head).json"))
    }

    /// SIGTERM during a run stops the model and exits 130, as Ctrl-C does.
    @Test func sigtermDuringARunExits130() throws {
        let repo = try ScratchRepository()
        let pidFile = repo.path("model.pid")
        try repo.setUpEvals(
            model: """
                import os, sys, time
                open(\(JSONValue.string(pidFile).canonicalText), "w").write(str(os.getpid()))
                for line in sys.stdin:
                    time.sleep(60)
                """, cases: [caseLine("a", "x")])
        try repo.commitAll("A model that never answers")
        let binary = try #require(evalguardBinary())
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: pidFile) && Date() < deadline { usleep(20_000) }
        try #require(FileManager.default.fileExists(atPath: pidFile))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
    }

    /// `cases add` under Ctrl-C: its redaction program is stopped and no case file is written.
    @Test func ctrlCStopsTheRedactionProgramAndWritesNothing() throws {
        let repo = try ScratchRepository()
        try repo.write(
            ".evals/evalguard.json",
            """
            {"model": {"command": ["python3", "router.py"]}, "suites": {"week": {"cases": "cases/week.jsonl", "scorer": "exact"}}}
            """)
        let pidFile = repo.path("redact.pid")
        try repo.write("log.jsonl", "{\"input\": \"a\", \"output\": \"b\"}\n")
        try repo.write(
            "slow.py",
            "import os, sys, time\nopen(\(JSONValue.string(pidFile).canonicalText), 'w').write(str(os.getpid()))\ntime.sleep(60)\n"
        )
        let temporary = repo.path("tmp")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = evalguardBinary()
        process.arguments = [
            "cases", "add", "--from", "log.jsonl", "--suite", "week", "--expected-from", "output", "--redact",
            "python3 slow.py",
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").isEmpty && Date() < deadline {
            usleep(20_000)
        }
        let pid = try #require(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""))
        process.interrupt()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(kill(pid, 0) != 0, "the redaction program is still running")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)
        #expect(!repo.exists(".evals/cases/week.jsonl"))
    }
}

/// Whether `pid` is a live process (a zombie waiting for its reaper is not).
func isRunning(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    return !stat[close...].dropFirst(2).hasPrefix("Z")
}
