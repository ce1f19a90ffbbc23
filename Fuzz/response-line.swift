// libFuzzer target: one line of the model's stdout under the command provider's protocol,
// with and without an expected id.
@testable import EvalGuardRunner

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let line = Array(UnsafeBufferPointer(start: data, count: size))[...]
    _ = ResponseLine.decode(line, expectedID: nil)
    _ = ResponseLine.decode(line, expectedID: "c1")
    return 0
}
