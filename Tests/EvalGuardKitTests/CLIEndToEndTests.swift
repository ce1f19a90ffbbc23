import Foundation
import Testing

/// The built `evalguard` binary, next to the test bundle in the build directory.
func evalguardBinary() -> URL? {
    let runners = ["/proc/self/exe", CommandLine.arguments[0]]
    for runner in runners {
        var directory = URL(fileURLWithPath: runner).resolvingSymlinksInPath().deletingLastPathComponent()
        // On Linux the test runner is the .xctest file itself; on macOS it is inside a bundle.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("evalguard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
    }
    return nil
}

/// Runs the binary, reading both pipes before waiting so a full pipe cannot hang it.
func runBinary(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let binary = try #require(evalguardBinary())
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // A thread of its own: the global dispatch pool can be slow to start under the test runner.
    let errData = LockedData()
    let stderrRead = DispatchSemaphore(value: 0)
    Thread {
        errData.value = err.fileHandleForReading.readDataToEndOfFile()
        stderrRead.signal()
    }.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    stderrRead.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData.value, as: UTF8.self))
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    var value: Data {
        get { lock.withLock { data } }
        set { lock.withLock { data = newValue } }
    }
}

@Suite struct CLIEndToEndTests {
    @Test func theBinaryFlushesStdoutAndExitsWithTheCode() throws {
        let version = try runBinary(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "evalguard 0.1.0\n")
        #expect(version.stderr.isEmpty)

        let help = try runBinary(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("OVERVIEW: "))
    }

    @Test func theBinaryReportsUsageErrorsOnStderrWithStatusTwo() throws {
        let nothing = try runBinary([])
        #expect(nothing.status == 2)
        #expect(nothing.stdout.isEmpty)
        #expect(nothing.stderr.hasPrefix("OVERVIEW: "))

        let bogus = try runBinary(["--verison"])
        #expect(bogus.status == 2)
        #expect(bogus.stderr.hasPrefix("Error: Unknown option '--verison'. Did you mean '--version'?\n"))

        let missing = try runBinary(["-C", "/nonexistent-evalguard-directory", "--help"])
        #expect(missing.status == 0, "help wins over -C, as it does over every other mistake")
        let badDirectory = try runBinary(["-C", "/nonexistent-evalguard-directory", "check"])
        #expect(badDirectory.status == 2)
        #expect(badDirectory.stderr.hasPrefix("error: cannot change to '/nonexistent-evalguard-directory'"))
    }
}
