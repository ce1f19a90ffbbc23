// libFuzzer target: the committed baseline (.evals/baseline.json). Bad input must end in an
// EvalGuardError, never a trap; a baseline that reads must render again.
@testable import EvalGuardStore
@testable import EvalGuardSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let baseline = try Baseline.parse(bytes, displayPath: ".evals/baseline.json")
        _ = try? baseline.rendered()
    } catch is EvalGuardError {
    } catch {
        preconditionFailure("not a clean error: \(error)")
    }
    return 0
}
