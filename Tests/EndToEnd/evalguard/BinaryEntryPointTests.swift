import EvalGuardTestSupport
import Foundation
import Testing

/// The built binary's entry point: what it flushes to stdout and the exit code it ends with.
@Suite struct BinaryEntryPointTests {
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
