import CLibgit2
import Foundation

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
    nonisolated(unsafe) static var open = 0
    nonisolated(unsafe) static var held = false
    static let condition = NSCondition()

    static func enter() {
        LibGit2.ensure()
        condition.lock()
        while held { condition.wait() }
        open += 1
        if open == 1 { _ = evalguard_git_enable_strict_hash_verification(0) } // fails only for an unknown option
        condition.unlock()
    }

    static func leave() {
        condition.lock()
        open -= 1
        if open == 0 {
            _ = evalguard_git_enable_strict_hash_verification(1)
            condition.broadcast()
        }
        condition.unlock()
    }

    static func exclusive(_ take: Bool) {
        LibGit2.ensure()
        condition.lock()
        if take {
            while open > 0 || held { condition.wait() }
            held = true
        } else {
            held = false
            condition.broadcast()
        }
        condition.unlock()
    }
}
