import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

@Suite struct SystemCallTests {
    @Test func aFailedCallCarriesItsNameAndErrno() {
        #expect(throws: SystemCallError("close", errno: EBADF)) { try syscall("close") { close(-1) } }
        let error = SystemCallError("close", errno: EBADF)
        #expect(error.description == "close: Bad file descriptor")
        #expect(error.reason == "Bad file descriptor")
        #expect(!error.wouldBlock && SystemCallError("read", errno: EAGAIN).wouldBlock)
    }

    @Test func anInterruptedCallIsRetriedUnlessTheCallerWantsToKnow() throws {
        var calls = 0
        func interruptedOnce() -> Int32 {
            calls += 1
            if calls == 1 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(try syscall("read", interruptedOnce) == 7)
        #expect(calls == 2)
        calls = 0
        #expect(throws: SystemCallError("poll", errno: EINTR)) {
            try syscall("poll", retryOnInterrupt: false, interruptedOnce)
        }
        #expect(calls == 1)
    }

    @Test func callsThatReturnTheirErrorAndCallsThatReturnNULL() throws {
        #expect(throws: SystemCallError("posix_spawn", errno: ENOENT)) {
            try syscallReturningError("posix_spawn") { ENOENT }
        }
        try syscallReturningError("pthread_sigmask") { 0 }
        #expect(throws: SystemCallError("realpath", errno: ENOENT)) {
            try syscallPointer("realpath") { realpath("/no/such/evalguard/path", nil) }
        }
    }

    @Test func pipesAreCloseOnExecAndNonBlockingWhenAsked() throws {
        let plain = try makePipe()
        let nonBlocking = try makePipe(nonBlocking: true)
        defer { for f in [plain.read, plain.write, nonBlocking.read, nonBlocking.write] { closeDescriptor(f) } }
        for f in [plain.read, plain.write, nonBlocking.read, nonBlocking.write] {
            #expect(fcntl(f, F_GETFD) & FD_CLOEXEC != 0)
        }
        #expect(fcntl(plain.read, F_GETFL) & O_NONBLOCK == 0)
        #expect(fcntl(nonBlocking.read, F_GETFL) & O_NONBLOCK != 0)
        var byte: UInt8 = 0
        #expect(throws: SystemCallError("read", errno: EAGAIN)) {
            try syscall("read") { read(nonBlocking.read, &byte, 1) }
        }
    }
}
