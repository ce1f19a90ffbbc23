import EvalGuardSupport

/// Decodes one line of the model's stdout into a response, checking it against the protocol.
enum ResponseLine {
    struct Outcome {
        var response: ModelResponse
        /// False when the line broke the protocol in a way that leaves the stream untrustworthy.
        var inSync: Bool
    }

    /// With `scorer`, the line is a scoring program's: its whole object is the output.
    static func decode(_ line: ArraySlice<UInt8>, expectedID: String?, scorer: Bool = false) -> Outcome {
        let who = scorer ? "the scoring program" : "the model"
        func broken(_ message: String) -> Outcome {
            Outcome(response: ModelResponse(output: nil, latencyMs: 0, error: message), inSync: false)
        }
        var bytes = line
        if bytes.last == 0x0D { bytes.removeLast() }
        let parsed = bytes.withUnsafeBufferPointer { try? JSONParser.parse($0) }
        guard let value = parsed else { return broken("\(who) printed a line that is not JSON: \(quote(line))") }
        guard case .object(let o) = value else {
            return broken("\(who) printed \(value.kindName) where a response object belongs: \(quote(line))")
        }
        let id: String?
        switch o["id"] {
        case .string(let s): id = s
        case .number(let n): id = JSONWriter.numberText(n)
        default: id = nil
        }
        if let expectedID, id != expectedID {
            return broken(
                "the response's id \(o["id"]?.canonicalText ?? "(missing)") does not match the request's \(JSONValue.string(expectedID).canonicalText)"
            )
        }
        if scorer {
            var response = ModelResponse(output: value, latencyMs: 0)
            if let error = o["error"], error != .null {
                response.error = "the scoring program reported: " + (error.stringValue ?? error.canonicalText)
            }
            return Outcome(response: response, inSync: true)
        }
        var response = ModelResponse(output: o["output"], latencyMs: 0)
        response.costUSD = o["cost_usd"]?.numberValue
        if case .object(let usage)? = o["usage"] {
            response.usage = usage.compactMapValues(\.numberValue)
        }
        if let error = o["error"], error != .null {
            response.error = "the model reported: " + (error.stringValue ?? error.canonicalText)
        } else if response.output == nil {
            response.error = "the response has no \"output\": \(quote(line))"
        }
        return Outcome(response: response, inSync: true)
    }

    /// The line as it was printed, cut to a readable length.
    static func quote(_ line: ArraySlice<UInt8>) -> String {
        let text = String(decoding: line.prefix(200), as: UTF8.self)
        return "'" + text + (line.count > 200 ? "…" : "") + "'"
    }
}
