import EvalGuardTestSupport
import Foundation
import Testing

/// The entry point installs the Ctrl-C handler for the whole process, but only work with
/// something to clean up defers a signal (InterruptTests covers that side): anywhere else
/// Ctrl-C still ends evalguard at once, as if no handler were installed.
@Suite struct SignalScopeTests {
    @Test func ctrlCWhileTheHookWaitsForGitsInputEndsEvalguardAtOnce() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "x", "x")])
        try repo.commitAll("Evals")
        let binary = try #require(evalguardBinary())
        let process = Process()
        process.executableURL = binary
        process.arguments = ["hook", "pre-push", "origin", "https://example.invalid/repo.git"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it blocks reading its stdin (the kernel names the wait), so the handler is
        // installed by then and the signal cannot arrive before it.
        let wchan = "/proc/\(process.processIdentifier)/wchan"
        var waiting = false
        for _ in 0..<2_000 where process.isRunning {
            if let text = try? String(contentsOfFile: wchan, encoding: .utf8), text.contains("pipe_read") {
                waiting = true
                break
            }
            usleep(5_000)
        }
        try #require(waiting, "evalguard never waited for its input")
        process.interrupt()
        // Were the signal swallowed, end of input would let the hook finish and exit normally.
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGINT)
    }

    /// SIGTERM where nothing is deferred exits 130, as the README's exit codes say, rather than
    /// dying by the signal (143).
    @Test func sigtermWhileTheHookWaitsForGitsInputExits130() throws {
        let repo = try ScratchRepository()
        try repo.setUpEvals(model: Models.echo(), cases: [caseLine("a", "x", "x")])
        try repo.commitAll("Evals")
        let binary = try #require(evalguardBinary())
        let process = Process()
        process.executableURL = binary
        process.arguments = ["hook", "pre-push", "origin", "https://example.invalid/repo.git"]
        process.currentDirectoryURL = URL(fileURLWithPath: repo.root)
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let wchan = "/proc/\(process.processIdentifier)/wchan"
        var waiting = false
        for _ in 0..<2_000 where process.isRunning {
            if let text = try? String(contentsOfFile: wchan, encoding: .utf8), text.contains("pipe_read") {
                waiting = true
                break
            }
            usleep(5_000)
        }
        try #require(waiting, "evalguard never waited for its input")
        process.terminate()
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 130)
    }
}
