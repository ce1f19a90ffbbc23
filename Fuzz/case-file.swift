// libFuzzer target: a suite's JSON Lines case file. The first byte picks the suite's scorer;
// bad input must end in an EvalGuardError (file, line, message), never a trap.
@testable import EvalGuardConfig
@testable import EvalGuardSupport

let scorers: [Scorer] = [
    .exact(.init()), .contains(.init()), .regex, .json, .numeric(absolute: 1e-9, relative: 0), .oneOf(.init()),
]

let conversation = try! ConversationSplice(
    "{{input.messages}}", before: 0,
    node: ConfigNode(value: .null, source: ConfigSource(displayPath: "x", text: "")))

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let scorer = scorers[Int(data[0]) % scorers.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    do {
        let cases = try CaseFile.parse(bytes, displayPath: "cases.jsonl", scorer: scorer)
        // A model that splices each case's conversation into its messages checks it as it loads.
        for c in cases { _ = conversation.messages(in: c.input) }
    } catch is EvalGuardError {
    } catch {
        preconditionFailure("not a clean error: \(error)")
    }
    return 0
}
