import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// The release archive, end to end: `scripts/test-package.sh` builds it (a release build with the
/// Swift runtime linked statically: minutes, so once per test process), installs it, and runs it
/// in a mount namespace where the toolchain's directory is hidden.
@Suite struct DistributionTests {
    static var packageRoot: String { TestPaths.packageRoot }

    /// Whether this machine lets us hide a directory in a private mount namespace.
    static let canHideToolchain: Bool = {
        (try? Shell.run(["unshare", "-m", "true"]).status) == 0
    }()

    @Test(
        .enabled(
            if: canHideToolchain,
            "skipped: 'unshare -m' is unavailable here (util-linux missing, or not root / no CAP_SYS_ADMIN), so the toolchain cannot be hidden"
        ))
    func theArchiveRunsWhereTheToolchainIsAbsent() throws {
        // Its own build directory: `swift test` holds the lock on .build while tests run.
        let scratch =
            ProcessInfo.processInfo.environment["EVALGUARD_PACKAGE_SCRATCH"] ?? Self.packageRoot
            + "/.build/package-test"
        let run = try Shell.run(
            [Self.packageRoot + "/scripts/test-package.sh", "--scratch-path", scratch], in: Self.packageRoot)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr.suffix(3000))")
        for check in [
            "ok: archive evalguard-\(EvalGuardVersion.current)-linux-",
            "ok: archive holds bin/evalguard, hooks/pre-push, ci/, LICENSE, README.md",
            "ok: sha256 file verifies",
            "ok: install.sh refuses an archive that does not match its sha256",
            "ok: install.sh installs the archive into a prefix",
            "ok: the toolchain at ",
            "ok: ldd lists no Swift library and nothing missing",
            "ok: evalguard --version",
            "ok: evalguard run",
            "ok: evalguard check passes an unchanged model (exit 0)",
            "ok: evalguard check blocks a regressed model (exit 1)",
            "all package checks passed",
        ] {
            #expect(run.stdout.contains(check), "missing '\(check)' in:\n\(run.stdout)")
        }
    }

    @Test func theInstallerRefusesBadArgumentsAndMissingArchives() throws {
        let unknown = try Shell.run([Self.packageRoot + "/scripts/install.sh", "--prefixx", "/tmp/x"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown option '--prefixx'"))
        let missing = try Shell.run([
            Self.packageRoot + "/scripts/install.sh", "--prefix", NSTemporaryDirectory() + "never",
            "/nonexistent/evalguard.tar.gz",
        ])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such archive: /nonexistent/evalguard.tar.gz"))
    }
}
