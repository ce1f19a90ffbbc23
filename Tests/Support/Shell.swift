import Foundation
import Testing

package enum Shell {
    package struct Result {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// Runs a program and waits. Both pipes are read to the end before waiting (stderr on a thread
    /// of its own: the global dispatch pool can be slow to start under the test runner), so a
    /// chatty child never blocks on a full pipe.
    package static func run(
        _ arguments: [String], in directory: String? = nil, stdin: String? = nil,
        environment: [String: String]? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0].hasPrefix("/") ? arguments[0] : "/usr/bin/env")
        process.arguments = arguments[0].hasPrefix("/") ? Array(arguments.dropFirst()) : arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let errData = LockedData()
        let stderrRead = DispatchSemaphore(value: 0)
        Thread {
            errData.value = err.fileHandleForReading.readDataToEndOfFile()
            stderrRead.signal()
        }.start()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        stderrRead.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

package final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    package var value: Data {
        get { lock.withLock { data } }
        set { lock.withLock { data = newValue } }
    }
}

/// The built `evalguard` binary, next to the test bundle in the build directory.
package func evalguardBinary() -> URL? {
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

/// Runs the built binary (in `directory` when given) and returns its exit status and output.
package func runBinary(
    _ arguments: [String], in directory: String? = nil,
    environment: [String: String]? = nil
) throws -> (status: Int32, stdout: String, stderr: String) {
    let binary = try #require(evalguardBinary())
    let r = try Shell.run([binary.path] + arguments, in: directory, environment: environment)
    return (r.status, r.stdout, r.stderr)
}
