// swift-tools-version:6.0
import PackageDescription

/// One target per layer, bottom up; a target may import only those listed below it, so the
/// compiler rejects an upward import. docs/ARCHITECTURE.md draws the graph.
func layer(_ name: String, _ folder: String, _ dependencies: [Target.Dependency]) -> Target {
    .target(name: "EvalGuard" + name, dependencies: dependencies, path: "Sources/" + folder)
}

/// Every library target, for the test targets.
let libraries: [Target.Dependency] = [
    "CLibgit2", "EvalGuardSupport", "EvalGuardGit", "EvalGuardStatistics", "EvalGuardConfig", "EvalGuardStore",
    "EvalGuardRunner", "EvalGuardScoring", "EvalGuardEvaluation", "EvalGuardCompare", "EvalGuardHistory",
    "EvalGuardBlame", "EvalGuardGate", "EvalGuardReport", "EvalGuardImport", "EvalGuardCLI",
]

let package = Package(
    name: "evalguard",
    products: [
        .executable(name: "evalguard", targets: ["evalguard"])
    ],
    targets: [
        .systemLibrary(name: "CLibgit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .target(name: "CSpawn"),
        .target(name: "CGitStart", linkerSettings: [.linkedLibrary("dl")]),
        // OpenSSL 3 through dlopen on the first https connection: no link-time TLS library.
        .target(name: "CTLS", linkerSettings: [.linkedLibrary("dl")]),
        layer("Support", "Support", ["CSpawn"]),
        layer("Git", "Git", ["CLibgit2", "CGitStart", "EvalGuardSupport"]),
        layer("Statistics", "Statistics", ["EvalGuardSupport"]),
        layer("Config", "Config", ["EvalGuardGit"]),
        layer("Store", "Store", ["EvalGuardConfig", "EvalGuardStatistics"]),
        layer("Runner", "Runner", ["CTLS", "EvalGuardConfig"]),
        layer("Scoring", "Scoring", ["EvalGuardConfig"]),
        layer("Evaluation", "Evaluation", ["EvalGuardRunner", "EvalGuardScoring", "EvalGuardStore"]),
        layer("Compare", "Compare", ["EvalGuardStore"]),
        layer("History", "History", ["EvalGuardStore"]),
        layer("Blame", "Blame", ["EvalGuardHistory", "EvalGuardEvaluation", "EvalGuardCompare"]),
        // Gating: the one gate session that check, ci and the pre-push hook call, with the
        // hook's and CI's own parts (pushed refs, bases, notes fetching).
        layer("Gate", "Gate", ["EvalGuardEvaluation", "EvalGuardCompare"]),
        layer("Report", "Report", ["EvalGuardBlame", "EvalGuardGate"]),
        // Reading other tools' test files and production records into cases.
        layer("Import", "Import", ["EvalGuardConfig"]),
        layer("CLI", "CLI", ["EvalGuardReport", "EvalGuardImport"]),
        .executableTarget(name: "evalguard", dependencies: ["EvalGuardCLI"]),
        // The tests, by what they cost, in folders that mirror Sources/. What several of them
        // share (scratch repositories, stand-in servers, the paths of Tests/Fixtures and of the
        // package) is one target of its own, which reaches the layers' internals through
        // `@testable import` (debug builds compile every target with testing enabled).
        .target(name: "EvalGuardTestSupport", dependencies: libraries, path: "Tests/Support"),
        // In memory: no child processes (git included), no servers, no git repositories. A test
        // may read a fixed input file or write plain files under a temporary directory. It
        // depends on the library targets only, never on the executable, and runs in seconds:
        // `swift test --filter EvalGuardUnitTests`.
        .testTarget(
            name: "EvalGuardUnitTests", dependencies: ["CGitStart"] + libraries + ["EvalGuardTestSupport"],
            path: "Tests/Unit"),
        // Scratch git repositories, model and scoring programs, stand-in servers, and the CLI
        // run in-process (`repo.evalguard(...)`); also the in-memory checks that take seconds of
        // arithmetic each (a test's level over every sign pattern or thousands of seeded runs).
        .testTarget(
            name: "EvalGuardIntegrationTests", dependencies: libraries + ["EvalGuardTestSupport"],
            path: "Tests/Integration"),
        // The built binary (and what runs it: the installed pre-push hook, pre-commit, the Action
        // and GitLab job stand-ins, the release archive), Chromium, TLS, proxies, a real model.
        .testTarget(
            name: "EvalGuardEndToEndTests", dependencies: libraries + ["EvalGuardTestSupport", "evalguard"],
            path: "Tests/EndToEnd"),
    ]
)
