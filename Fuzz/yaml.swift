// libFuzzer target: the YAML subset reader of `cases import promptfoo`, then promptfoo's tests
// read from what it returns. Bad input must end in an EvalGuardError (file, line), never a trap.
@testable import EvalGuardImport
@testable import EvalGuardSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let node = try YAMLReader.parse(text, path: "t.yaml")
        precondition(node.line >= 0, "a negative line")
        _ = node.json
    } catch let error as EvalGuardError {
        precondition(error.file == "t.yaml" && (error.line ?? 1) >= 1, "an error without its file and line: \(error)")
    } catch {
        preconditionFailure("not a clean error: \(error)")
    }
    return 0
}
