// libFuzzer target: what git writes to the pre-push hook's stdin. Bad input must end in an
// EvalGuardError, never a trap.
@testable import EvalGuardGate
@testable import EvalGuardSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let refs = try PushedRef.parse(text)
        for ref in refs { _ = (ref.isDeletion, ref.isNewRef, ref.isTag, ref.remoteBranch) }
    } catch is EvalGuardError {
    } catch {
        preconditionFailure("not a clean error: \(error)")
    }
    return 0
}
