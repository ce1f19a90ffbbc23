import CLibgit2

extension Repository {
    /// Runs `body` with libgit2's check that each object read hashes to its id switched off,
    /// restoring it after. For walks that read thousands of objects git itself wrote (blame, log):
    /// re-hashing every commit and tree was a fifth of their time. Objects written inside still
    /// get their ids from their content.
    package static func withoutHashVerification<T>(_ body: () throws -> T) rethrows -> T {
        LibGit2.ensure()
        _ = evalguard_git_enable_strict_hash_verification(0) // fails only for an unknown option
        defer { _ = evalguard_git_enable_strict_hash_verification(1) }
        return try body()
    }
}
