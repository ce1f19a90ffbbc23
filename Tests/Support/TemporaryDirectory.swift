import Foundation

/// A plain directory under the system's temporary directory (no git repository, nothing run to
/// make it), removed when the value goes away: for tests that read files the way a checkout
/// holds them without needing git.
package final class TemporaryDirectory {
    package let root: String

    package init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("evalguard-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.resolvingSymlinksInPath().path
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    package func path(_ relative: String) -> String { root + "/" + relative }

    package func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}
