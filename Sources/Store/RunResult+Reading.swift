import FoundationEssentials
import EvalGuardSupport

extension RunResult {
    /// A stored result read with its cases decoded by hand (`CaseResult.read`), straight into
    /// their compact layout: the cases are most of a result's bytes and of `JSONDecoder`'s time.
    /// The rest of the document (a few fields and figures per suite) is still read by
    /// `JSONDecoder`, with the cases arrays cut out, so it is exactly as strict as before. Nil
    /// when the reader refuses anything (a member it does not know, a form it is unsure of) or
    /// the rest does not decode: the caller then reads the whole document with `JSONDecoder`,
    /// which decides.
    static func read(_ data: Data, decoder: JSONDecoder) -> RunResult? {
        data.withUnsafeBytes { raw -> RunResult? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var reader = JSONReader(bytes)
            var cases: [[CaseResult]] = []
            var cuts: [Range<Int>] = []
            do {
                try reader.document(member: "suites") { r throws(JSONReader.Refused) in
                    try r.array { r throws(JSONReader.Refused) in
                        var list: [CaseResult] = []
                        let found = try r.object(member: "cases") { r throws(JSONReader.Refused) in
                            cuts.append(try r.bracketed(UInt8(ascii: "[")) { r throws(JSONReader.Refused) in
                                try r.array { r throws(JSONReader.Refused) in list.append(try CaseResult.read(&r)) }
                            })
                        }
                        guard found else { throw JSONReader.Refused() }
                        cases.append(list)
                    }
                }
            } catch {
                return nil
            }
            let rest = JSONReader.removing(cuts, from: bytes)
            guard var result = try? decoder.decode(RunResult.self, from: Data(rest)), result.suites.count == cases.count else { return nil }
            for i in result.suites.indices { result.suites[i].cases = cases[i] }
            return result
        }
    }
}
