import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// The repository evalguard works in, its HEAD and its working tree's configuration: built once
/// per command that evaluates the working tree.
package final class Workspace {
    package let repository: Repository
    package let head: Head
    package let config: EvalConfig
    /// Evaluates the working tree (`.workingTree`) or commits of this repository.
    package let evaluator: Evaluator
    package var root: String { repository.root }
    package var store: ResultStore { evaluator.store }
    /// Things worth saying that did not stop the runs (no price table), for the command to print.
    package var warnings: [String] { evaluator.warnings }

    package init(directory: String, environment: [String: String] = processEnvironment()) throws {
        repository = try Repository.discover(from: directory)
        evaluator = Evaluator(repository: repository, environment: environment)
        config = try evaluator.config(of: .workingTree)
        head = try repository.headOrUnborn()
    }

    /// What the working tree's evaluation would be keyed by, and the input files that differ from HEAD.
    package func workingTreeState() throws -> (key: String, dirtyPaths: [String]) {
        try evaluator.key(of: .workingTree, config: config, head: head.commit)
    }
}
