// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "evalguard",
    products: [
        .executable(name: "evalguard", targets: ["evalguard"]),
        .library(name: "EvalGuardKit", targets: ["EvalGuardKit"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLibgit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "CSpawn"),
        .target(
            name: "CTLS",
            linkerSettings: [.linkedLibrary("mbedtls"), .linkedLibrary("mbedx509"), .linkedLibrary("mbedcrypto")]
        ),
        .target(name: "EvalGuardKit", dependencies: ["CLibgit2", "CSpawn", "CTLS"]),
        .executableTarget(name: "evalguard", dependencies: ["EvalGuardKit"]),
        .testTarget(name: "EvalGuardKitTests", dependencies: ["EvalGuardKit", "evalguard"], exclude: ["Fixtures"]),
    ]
)
