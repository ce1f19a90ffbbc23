// swift-tools-version:6.0
import PackageDescription

/// One target per layer, bottom up; a target may import only those listed below it, so the
/// compiler rejects an upward import. docs/ARCHITECTURE.md draws the graph.
func layer(_ name: String, _ folder: String, _ dependencies: [Target.Dependency]) -> Target {
    .target(name: "EvalGuard" + name, dependencies: dependencies, path: "Sources/" + folder)
}

let package = Package(
    name: "evalguard",
    products: [
        .executable(name: "evalguard", targets: ["evalguard"]),
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
        .testTarget(
            name: "EvalGuardKitTests",
            dependencies: ["EvalGuardCLI", "evalguard"],
            exclude: ["Fixtures"]
        ),
    ]
)
