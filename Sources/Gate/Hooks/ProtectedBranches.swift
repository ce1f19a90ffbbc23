import EvalGuardConfig
import EvalGuardGit
import EvalGuardSupport

extension PrePushHook {
    /// Whether a push to `ref` lands on a protected branch, where `"baseline_changes": "block"`
    /// applies: a branch matching a pattern of `protected_branches` when the configuration lists
    /// them; else the remote's default branch (what `refs/remotes/<remote>/HEAD` points at); else,
    /// when that is unknown, `main` or `master`. A feature branch is never protected by default,
    /// so a baseline change can reach review there and be blocked only where it would land.
    func isProtected(_ ref: PushedRef, config: EvalConfig) -> Bool {
        guard ref.remoteRef.hasPrefix("refs/heads/") else { return false }
        let branch = ref.remoteBranch
        if let patterns = config.protectedBranches {
            return patterns.contains { Glob($0).matches(branch) }
        }
        let prefix = "refs/remotes/\(remote)/"
        if let target = repository.symbolicTarget(of: prefix + "HEAD"), target.hasPrefix(prefix) {
            return String(target.dropFirst(prefix.count)) == branch
        }
        return branch == "main" || branch == "master"
    }
}
