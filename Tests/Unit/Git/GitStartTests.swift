import CGitStart
import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardGit

/// libgit2 starts without parsing the CA bundle; https calls still load it (see the https tests
/// in OpenAIEndToEndTests, which check a server's certificate against an authority).
@Suite struct GitStartTests {
    @Test func libgit2StartsWithoutLoadingCertificateAuthorities() throws {
        LibGit2.ensure()
        #expect(LibGit2.initialized > 0)
        // Debian's libgit2 is built over mbedTLS: its start-up asked for the bundle once.
        #expect(evalguard_git_skipped_authorities() == 1)
    }
}
