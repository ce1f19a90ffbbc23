import Foundation
import Testing
@testable import EvalGuardCLI
@testable import EvalGuardSupport

/// A report the user asked for (`report -o`, `ci --junit`, `--markdown`, `--html`) at a path that
/// cannot take a file: one line naming the path and why, exit 2, and nothing written.
@Suite struct OutputPathTests {
    @Test func aReportUnderARegularFileSaysWhyItCannotBeWritten() throws {
        let s = try CITests.Setup()
        try s.repo.write("blocker", "a file, not a directory\n")
        let blocker = s.repo.root + "/blocker"
        let report = s.repo.evalguard("report", "-o", "blocker/page.html")
        #expect(report.status == 2, "\(report.stderr)")
        #expect(report.stderr.contains("error: cannot write \(blocker)/page.html: \(blocker) is a file, not a directory"), "\(report.stderr)")
        #expect(!report.stderr.contains("NSPOSIXErrorDomain") && !report.stderr.contains("Error Domain"), "\(report.stderr)")
        for option in ["--junit", "--markdown", "--html"] {
            let target = "blocker/deeper/out" + option.dropFirst(2)
            let run = s.ci([option, target], environment: ["GITHUB_BASE_REF": "main"])
            #expect(run.status == 2, "\(option): \(run.stderr)")
            #expect(run.stderr.contains("error: cannot write \(s.repo.root)/\(target): \(blocker) is a file, not a directory"), "\(option): \(run.stderr)")
        }
        #expect(s.repo.read("blocker") == "a file, not a directory\n")
    }
}
