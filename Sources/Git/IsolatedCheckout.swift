import CLibgit2
import EvalGuardSupport
import FoundationEssentials

/// A commit's tree written to a temporary directory, for evaluating a commit other than the
/// working tree. The user's working tree, index and HEAD are never touched: the checkout goes to
/// `target_directory` with FORCE (write every file; the directory starts empty) and
/// DONT_UPDATE_INDEX (FORCE alone would rewrite the repository's index, losing staged work).
package final class IsolatedCheckout {
    /// Absolute path of the temporary directory holding the commit's files.
    package let directory: String

    package init(repository: Repository, commit sha: String) throws {
        let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
        let template = base + "/evalguard-\(sha.prefix(12))-XXXXXX"
        var buffer = Array(template.utf8CString)
        let made: UnsafeMutablePointer<CChar>
        do {
            made = try syscallPointer("mkdtemp") { mkdtemp(&buffer) }
        } catch {
            throw EvalGuardError.evaluation("cannot create a temporary directory in \(base): \(error.reason)")
        }
        directory = String(cString: made)
        do {
            try repository.withTree(ofCommit: sha) { tree in
                var options = git_checkout_options()
                try check(
                    git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)),
                    "git_checkout_options_init")
                options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DONT_UPDATE_INDEX.rawValue
                try directory.withCString { path in
                    options.target_directory = path
                    try check(git_checkout_tree(repository.pointer, tree, &options), "git_checkout_tree")
                }
            }
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    private var removed = false

    /// Deletes the directory; safe to call twice.
    package func remove() {
        guard !removed else { return }
        removed = true
        try? FileManager.default.removeItem(atPath: directory)
    }
}
