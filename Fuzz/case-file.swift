// libFuzzer target: a suite's JSON Lines case file. The first byte picks the suite's scorer;
// bad input must end in an EvalGuardError (file, line, message), never a trap.
@testable import EvalGuardConfig
@testable import EvalGuardSupport

let scorers: [Scorer] = [.exact(.init()), .contains(.init()), .regex, .json, .numeric(absolute: 1e-9, relative: 0), .oneOf(.init())]

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let scorer = scorers[Int(data[0]) % scorers.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    do {
        _ = try CaseFile.parse(bytes, displayPath: "cases.jsonl", scorer: scorer)
    } catch is EvalGuardError {
    } catch {
        preconditionFailure("not a clean error: \(error)")
    }
    return 0
}
