import CLibgit2
import EvalGuardSupport

extension Repository {
    /// Runs `body` with libgit2's check that each object read hashes to its id switched off. For
    /// walks that read thousands of objects git itself wrote (blame, log): re-hashing every
    /// commit and tree was a fifth of their time. Objects written inside still get their ids
    /// from their content. The option is global to libgit2, so scopes are counted: it is off
    /// while any scope on any thread is open, and on again when the last one closes.
    package static func withoutHashVerification<T>(_ body: () throws -> T) rethrows -> T {
        HashVerification.enter()
        defer { HashVerification.leave() }
        return try body()
    }

    /// Runs `body` with the check on, waiting for open scopes to close and keeping new ones
    /// out until it returns: for reads that must see a damaged object as damaged.
    package static func withHashVerification<T>(_ body: () throws -> T) rethrows -> T {
        HashVerification.exclusive(true)
        defer { HashVerification.exclusive(false) }
        return try body()
    }
}

private enum HashVerification {
    /// Scopes open without the check, and whether a scope that needs it holds it.
    struct Scopes: Sendable {
        var open = 0
        var held = false
    }

    static let scopes = WaitableState(Scopes())

    static func enter() {
        LibGit2.ensure()
        scopes.wait(until: { !$0.held }) { s in
            s.open += 1
            if s.open == 1 { _ = evalguard_git_enable_strict_hash_verification(0) } // fails only for an unknown option
        }
    }

    static func leave() {
        scopes.update { s in
            s.open -= 1
            if s.open == 0 { _ = evalguard_git_enable_strict_hash_verification(1) }
        }
    }

    static func exclusive(_ take: Bool) {
        LibGit2.ensure()
        if take {
            scopes.wait(until: { $0.open == 0 && !$0.held }) { $0.held = true }
        } else {
            scopes.update { $0.held = false }
        }
    }
}
