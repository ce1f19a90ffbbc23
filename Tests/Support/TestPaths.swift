import Foundation

/// Where the package and its test fixtures are, found from this file's place in the checkout
/// (Tests/Support/TestPaths.swift), whichever test target asks.
package enum TestPaths {
    /// The package's root directory (the one holding Package.swift).
    package static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Tests/Fixtures: the stand-in servers, runners and recorded inputs the tests start or read.
    package static let fixtures = packageRoot + "/Tests/Fixtures"
}
