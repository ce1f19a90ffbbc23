import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit

/// Read-only walks skip re-hashing objects; everything else still checks them.
@Suite struct HashVerificationTests {
    @Test func verificationIsOffOnlyInsideTheScope() throws {
        let repo = try ScratchRepository()
        try repo.write("a.txt", "one\n")
        try repo.write("b.txt", "two\n")
        try repo.commitAll("two files")
        let a = try repo.git("rev-parse", "HEAD:a.txt")
        let b = try repo.git("rev-parse", "HEAD:b.txt")
        // Put b's object where a's belongs: its content no longer hashes to its name.
        let objects = repo.root + "/.git/objects/"
        let target = objects + a.prefix(2) + "/" + a.dropFirst(2)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target)
        try FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: objects + b.prefix(2) + "/" + b.dropFirst(2), toPath: target)

        let repository = try Repository.discover(from: repo.root)
        let head = repo.head
        // Other tests of this process open scopes of their own: the checked reads wait them out.
        Repository.withHashVerification {
            #expect(throws: GitError.self) { _ = try repository.fileContents("a.txt", atCommit: head) }
        }
        let unchecked = try Repository.withoutHashVerification {
            // Nested scopes keep the check off until the outer one closes.
            _ = try Repository.withoutHashVerification { try repository.fileContents("b.txt", atCommit: head) }
            return try repository.fileContents("a.txt", atCommit: head)
        }
        #expect(unchecked.map { String(decoding: $0, as: UTF8.self) } == "two\n")
        Repository.withHashVerification {
            #expect(throws: GitError.self) { _ = try repository.fileContents("a.txt", atCommit: head) }
        }
    }
}
