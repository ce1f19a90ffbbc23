// libFuzzer target: the body of an OpenAI-compatible chat completion, read for the message
// content or for a field of the JSON inside it, or for its tool calls, with a price for the usage.
import Foundation

@testable import EvalGuardConfig
@testable import EvalGuardRunner

let extractions: [OpenAIConfig.OutputExtraction] = [.content, .json(path: []), .json(path: ["intent"])]

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let price = PriceTable.Price(inputPerMillion: 0.15, outputPerMillion: 0.6)
    for extraction in extractions {
        _ = OpenAIAnswer.decode(body, extraction: extraction, price: price, redact: { $0 })
    }
    _ = OpenAIAnswer.serverMessage(body, { $0 })
    return 0
}
