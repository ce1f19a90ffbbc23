import Foundation
import Testing

@testable import EvalGuardSupport

/// A project as a CI system sees it: a bare remote with `main` (evals, a committed baseline, and
/// main's result shared as a git note) and a `feature` branch; `checkout(...)` makes the shallow
/// clone (depth 1, no notes) that CI jobs start from. `release` is a directory holding a release
/// archive of the built binary with its .sha256, as the download server offers it.
package final class CIProject {
    package let root = NSTemporaryDirectory() + "evalguard-ciproject-\(UUID().uuidString)"
    package var remote: String { root + "/remote.git" }
    package var release: String { root + "/release" }
    package let repo: ScratchRepository
    package let cases = (1...10).map { caseLine("c\($0)", "q\($0)") }
    package static var packageRoot: String { TestPaths.packageRoot }
    package var archiveName: String { "evalguard-\(EvalGuardVersion.current)-linux-x86_64.tar.gz" }

    package init() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        repo = try ScratchRepository()
        _ = try Shell.run(["git", "init", "-q", "--bare", "-b", "main", remote])
        try repo.setUpEvals(model: Models.echo(), cases: cases, modelConfig: ", \"inputs\": [\"model.py\"]")
        try repo.commitAll("Add evals")
        #expect(repo.evalguard("baseline").status == 0)
        try repo.commitAll("Baseline")
        #expect(repo.evalguard("run").status == 0) // main's result, noted under refs/notes/evalguard
        try repo.git("remote", "add", "origin", remote)
        try repo.git("push", "-q", "origin", "main", "refs/notes/evalguard")
        try repo.git("checkout", "-q", "-b", "feature")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Commits a model that answers `wrong` for these inputs on `feature` and pushes it.
    package func pushModel(flipping inputs: [String], message: String) throws {
        try repo.write("model.py", inputs.isEmpty ? Models.echo() : Models.echo(flipping: inputs))
        try repo.commitAll(message)
        try repo.git("push", "-q", "-f", "origin", "feature")
    }

    /// A fresh depth-1 clone of `feature`, as CI checks it out.
    package func checkout() throws -> String {
        let directory = root + "/checkout-\(UUID().uuidString.prefix(8))"
        let clone = try Shell.run([
            "git", "clone", "-q", "--depth", "1", "--branch", "feature", "file://" + remote, directory,
        ])
        #expect(clone.status == 0, "\(clone.stderr)")
        return directory
    }

    /// The release archive of the built binary (same layout as scripts/package.sh writes), with
    /// its .sha256; `corrupt` appends a byte to the archive after the checksum was taken.
    package func makeRelease(corrupt: Bool = false) throws {
        let name = archiveName.replacingOccurrences(of: ".tar.gz", with: "")
        let stage = root + "/stage/" + name
        for folder in ["bin", "hooks", "ci"] {
            try FileManager.default.createDirectory(atPath: stage + "/" + folder, withIntermediateDirectories: true)
        }
        let binary = try #require(evalguardBinary())
        try FileManager.default.copyItem(atPath: binary.path, toPath: stage + "/bin/evalguard")
        try FileManager.default.copyItem(
            atPath: Self.packageRoot + "/hooks/pre-push", toPath: stage + "/hooks/pre-push")
        for helper in try FileManager.default.contentsOfDirectory(atPath: Self.packageRoot + "/scripts/ci") {
            try FileManager.default.copyItem(
                atPath: Self.packageRoot + "/scripts/ci/" + helper, toPath: stage + "/ci/" + helper)
        }
        try FileManager.default.createDirectory(atPath: release, withIntermediateDirectories: true)
        let tar = try Shell.run(["tar", "-C", root + "/stage", "-czf", release + "/" + archiveName, name])
        #expect(tar.status == 0, "\(tar.stderr)")
        let sum = try Shell.run(["sha256sum", archiveName], in: release)
        try sum.stdout.write(toFile: release + "/" + archiveName + ".sha256", atomically: true, encoding: .utf8)
        if corrupt {
            let handle = try #require(FileHandle(forWritingAtPath: release + "/" + archiveName))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("x".utf8))
            try handle.close()
        }
    }
}
