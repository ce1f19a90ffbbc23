// libFuzzer target: the strict JSON parser (case lines, model responses) and its lenient JSON5
// mode (locating configuration syntax errors). A syntax error must point inside the input.
@testable import EvalGuardSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    for lenient in [false, true] {
        do {
            _ = try JSONParser.parse(bytes, lenient: lenient)
        } catch {
            precondition((0...size).contains(error.offset), "syntax error offset \(error.offset) outside 0...\(size)")
        }
    }
    return 0
}
