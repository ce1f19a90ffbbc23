// libFuzzer target: the strict JSON parser (case lines, model responses) and its lenient JSON5
// mode (locating configuration syntax errors), and the mode that skips members unread. A syntax
// error must point inside the input.
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
    // The skipping mode `log` reads result summaries with: members of odd-length names passed over.
    do {
        _ = try JSONParser.parse(bytes, keep: { name, _ in name.utf8.count % 2 == 0 })
    } catch {
        precondition((0...size).contains(error.offset), "syntax error offset \(error.offset) outside 0...\(size)")
    }
    return 0
}
