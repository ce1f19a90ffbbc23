import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// Writing to a model that went away must come back as EPIPE, whoever set up the process's
/// signals, and leave the thread's signal state as it found it.
@Suite struct BrokenPipeTests {
    func blockedSignals() -> sigset_t {
        var current = sigset_t()
        _ = pthread_sigmask(SIG_BLOCK, nil, &current)
        return current
    }

    @Test func aWriteToAClosedPipeIsEPIPEAndLeavesNoSignalBehind() throws {
        let pipe = try makePipe()
        closeDescriptor(pipe.read)
        defer { closeDescriptor(pipe.write) }
        var before = blockedSignals()
        var byte: UInt8 = 1
        #expect(throws: SystemCallError("write", errno: EPIPE)) {
            try withSIGPIPEBlocked { () throws(SystemCallError) in
                try syscall("write") { write(pipe.write, &byte, 1) }
            }
        }
        var after = blockedSignals()
        #expect(sigismember(&after, SIGPIPE) == sigismember(&before, SIGPIPE))
        var pending = sigset_t()
        _ = sigpending(&pending)
        #expect(sigismember(&pending, SIGPIPE) == 0)
    }

    @Test func errnoIsLeftAsTheBodySetIt() {
        let result: Int32 = withSIGPIPEBlocked {
            errno = ENOSPC
            return -1
        }
        #expect(result == -1)
        #expect(errno == ENOSPC)
    }
}
