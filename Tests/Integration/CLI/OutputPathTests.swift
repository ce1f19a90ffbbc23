import EvalGuardTestSupport
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
        #expect(
            report.stderr.contains("error: cannot write \(blocker)/page.html: \(blocker) is a file, not a directory"),
            "\(report.stderr)")
        #expect(
            !report.stderr.contains("NSPOSIXErrorDomain") && !report.stderr.contains("Error Domain"), "\(report.stderr)"
        )
        for option in ["--junit", "--markdown", "--html"] {
            let target = "blocker/deeper/out" + option.dropFirst(2)
            let run = s.ci([option, target], environment: ["GITHUB_BASE_REF": "main"])
            #expect(run.status == 2, "\(option): \(run.stderr)")
            #expect(
                run.stderr.contains(
                    "error: cannot write \(s.repo.root)/\(target): \(blocker) is a file, not a directory"),
                "\(option): \(run.stderr)")
        }
        #expect(s.repo.read("blocker") == "a file, not a directory\n")
    }

    /// The step summary is appended to (other steps write to it too); a summary that cannot be
    /// opened for appending is worded the same way.
    @Test func aStepSummaryThatCannotBeAppendedToSaysWhy() throws {
        let s = try CITests.Setup()
        try FileManager.default.createDirectory(atPath: s.repo.path("summary.md"), withIntermediateDirectories: true)
        let run = s.ci([], environment: ["GITHUB_BASE_REF": "main", "GITHUB_STEP_SUMMARY": s.repo.path("summary.md")])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("error: cannot write \(s.repo.path("summary.md")): "), "\(run.stderr)")
        #expect(!run.stderr.contains("Error Domain"), "\(run.stderr)")
        try FileManager.default.removeItem(atPath: s.repo.path("summary.md"))
        try s.repo.write("summary.md", "earlier step\n")
        let appended = s.ci(
            [], environment: ["GITHUB_BASE_REF": "main", "GITHUB_STEP_SUMMARY": s.repo.path("summary.md")])
        #expect(appended.status == 0 || appended.status == 1, "\(appended.stderr)")
        let summary = s.repo.read("summary.md") ?? ""
        #expect(summary.hasPrefix("earlier step\n") && summary.contains("evalguard"), "\(summary)")
    }
}
