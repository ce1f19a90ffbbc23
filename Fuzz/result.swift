// libFuzzer target: a stored result (.evals/results/<commit>.json, or the same JSON in a git
// note). A file that is not a result reads as nil, never a trap.
import Foundation

@testable import EvalGuardStore

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    if let result = ResultStore.decode(Data(bytes: data, count: size), source: "fuzz input") {
        _ = try? ResultStore.encode(result, pretty: false)
    }
    return 0
}
