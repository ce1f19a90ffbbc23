import FoundationEssentials
import EvalGuardSupport

extension Baseline {
    /// A baseline read with its cases decoded by hand (one line per case, most of the file),
    /// the rest by `JSONDecoder` with the cases cut out, as `RunResult.read` reads a result. Nil
    /// when the reader refuses anything or the rest does not decode: `parse` then decodes the
    /// whole file with `JSONDecoder`, which decides and words the error.
    static func read(_ bytes: [UInt8], decoder: JSONDecoder) -> Baseline? {
        bytes.withUnsafeBufferPointer { buffer -> Baseline? in
            var reader = JSONReader(buffer)
            var cases: [String: [String: BaselineCase]] = [:]
            var cuts: [Range<Int>] = []
            do {
                try reader.document(member: "suites") { r throws(JSONReader.Refused) in
                    try r.object { r, suite throws(JSONReader.Refused) in
                        guard cases[suite] == nil else { throw JSONReader.Refused() }
                        var list: [String: BaselineCase] = [:]
                        let found = try r.object(member: "cases") { r throws(JSONReader.Refused) in
                            cuts.append(try r.bracketed(UInt8(ascii: "{")) { r throws(JSONReader.Refused) in
                                try r.object { r, id throws(JSONReader.Refused) in
                                    guard list[id] == nil else { throw JSONReader.Refused() }
                                    list[id] = try BaselineCase.read(&r)
                                }
                            })
                        }
                        guard found else { throw JSONReader.Refused() }
                        cases[suite] = list
                    }
                }
            } catch {
                return nil
            }
            let rest = JSONReader.removing(cuts, from: buffer)
            guard var baseline = try? decoder.decode(Baseline.self, from: Data(rest)),
                  Set(baseline.suites.keys) == Set(cases.keys) else { return nil }
            for (name, list) in cases { baseline.suites[name]?.cases = list }
            return baseline
        }
    }
}

extension BaselineCase {
    /// One case's line; refuses a member it does not know, one twice, or a missing or null `passed`.
    static func read(_ r: inout JSONReader) throws(JSONReader.Refused) -> BaselineCase {
        var passed: Bool?
        var c = BaselineCase(passed: false)
        var seen: UInt8 = 0
        try r.object { r, name throws(JSONReader.Refused) in
            let bit: UInt8 = switch name {
            case "passed": 1
            case "score": 2
            case "cost_usd": 4
            case "pass_rate": 8
            case "runs": 16
            default: throw JSONReader.Refused()
            }
            guard seen & bit == 0 else { throw JSONReader.Refused() }
            seen |= bit
            if r.null() {
                if bit == 1 { throw JSONReader.Refused() }
                return
            }
            switch bit {
            case 1: passed = try r.bool()
            case 2: c.score = try r.double()
            case 4: c.costUSD = try r.double()
            case 8: c.passRate = try r.double()
            default: c.runs = try r.int()
            }
        }
        guard let passed else { throw JSONReader.Refused() }
        c.passed = passed
        return c
    }
}
