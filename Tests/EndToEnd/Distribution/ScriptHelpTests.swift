import EvalGuardTestSupport
import Foundation
import Testing

/// The release scripts' `--help`: a usage text on stdout, exit 0, and nothing of the script's code.
@Suite struct ScriptHelpTests {
    @Test(arguments: ["package.sh", "test-package.sh", "install.sh"])
    func helpPrintsUsageOnly(_ script: String) throws {
        let path = DistributionTests.packageRoot + "/scripts/" + script
        let run = try Shell.run(["bash", path, "--help"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("usage: scripts/" + script), "\(run.stdout)")
        let header = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .prefix { $0.hasPrefix("#") }.map { $0.drop { $0 == "#" || $0 == " " || $0 == "!" } }
        for line in run.stdout.split(separator: "\n") {
            #expect(
                header.contains { $0.hasSuffix(line.drop { $0 == " " }) }, "not a line of the header comment: '\(line)'"
            )
        }
    }
}
