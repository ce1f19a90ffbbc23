import EvalGuardGit
import EvalGuardSupport

/// Which commit a CI run compares HEAD with: the merge-base of HEAD and the branch the change
/// targets, found the way each CI system names it.
package struct CIBase: Sendable {
    /// The target branch or ref as given or found, and where it came from.
    package var reference: String
    package var source: String
    package var targetCommit: String
    package var mergeBase: String

    /// `--base`, else `GITHUB_BASE_REF` (GitHub Actions pull requests), else
    /// `CI_MERGE_REQUEST_TARGET_BRANCH_NAME` (GitLab merge requests), else HEAD's upstream.
    package static func detect(in repository: Repository, explicit: String?, environment: [String: String]) throws
        -> CIBase
    {
        let (reference, source) = try target(in: repository, explicit: explicit, environment: environment)
        return try detect(in: repository, reference: reference, source: source)
    }

    /// The branch or ref the change targets, and where that came from.
    package static func target(in repository: Repository, explicit: String?, environment: [String: String]) throws -> (
        reference: String, source: String
    ) {
        let candidates: [(String?, String)] = [
            (explicit, "--base"),
            (environment["GITHUB_BASE_REF"], "GITHUB_BASE_REF"),
            (environment["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"], "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
        ]
        let head = try repository.head()
        var reference: String? = nil
        var source = ""
        for case (let value?, let name) in candidates where !value.isEmpty {
            (reference, source) = (value, name)
            break
        }
        if reference == nil, let upstream = try repository.upstream(ofBranch: head.branch) {
            (reference, source) = (upstream, "the upstream of \(head.branch ?? "HEAD")")
        }
        guard let reference else {
            throw EvalGuardError(
                "cannot tell which branch this change targets",
                hint:
                    "Pass --base <branch>, or run where GITHUB_BASE_REF or CI_MERGE_REQUEST_TARGET_BRANCH_NAME is set, or set an upstream (git branch -u origin/main)."
            )
        }
        return (reference, source)
    }

    static func detect(in repository: Repository, reference: String, source: String) throws -> CIBase {
        let head = try repository.head()
        let shallowFix = """
            The clone is too shallow to see the base. Fetch more history:
              GitHub Actions: actions/checkout with 'fetch-depth: 0'
              GitLab CI:      variables: GIT_DEPTH: 0
              by hand:        git fetch --deepen=100 origin \(reference)   (or git fetch --unshallow)
            """
        let names = [reference, "refs/remotes/origin/\(reference)", "refs/heads/\(reference)"]
        guard let target = names.lazy.compactMap({ repository.commit(ofRevision: $0) }).first else {
            throw EvalGuardError(
                "the base '\(reference)' (from \(source)) is not in this clone",
                hint: repository.isShallow ? shallowFix : "Fetch it first: git fetch origin \(reference)")
        }
        // In a shallow clone libgit2 fails (rather than answering "none") when the walk reaches
        // a commit that is not there: the base lies beyond the boundary either way.
        let found: String?
        do {
            found = try repository.mergeBase(head.commit, target)
        } catch is GitError where repository.isShallow {
            found = nil
        }
        guard let mergeBase = found else {
            throw EvalGuardError(
                "HEAD and '\(reference)' (from \(source)) share no history in this clone",
                hint: repository.isShallow ? shallowFix : "Is '\(reference)' the right base?")
        }
        return CIBase(reference: reference, source: source, targetCommit: target, mergeBase: mergeBase)
    }
}
