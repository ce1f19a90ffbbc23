// libFuzzer target: the configuration (.evals/evalguard.json, JSON5) and the price table, both
// read through ConfigNode. Bad input must end in an EvalGuardError, never a trap.
@testable import EvalGuardConfig
@testable import EvalGuardSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try EvalConfig.parse(ConfigSource(displayPath: ".evals/evalguard.json", text: text))
    } catch is EvalGuardError {
    } catch {
        preconditionFailure("configuration: not a clean error: \(error)")
    }
    do {
        _ = try PriceTable.parse(ConfigSource(displayPath: ".evals/prices.json", text: text))
    } catch is EvalGuardError {
    } catch {
        preconditionFailure("prices: not a clean error: \(error)")
    }
    return 0
}
