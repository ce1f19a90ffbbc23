import Foundation
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
                var suitesSeen = false
                try reader.object { r, name throws(JSONReader.Refused) in
                    guard name == "suites" else { return try r.skipValue() }
                    guard !suitesSeen else { throw JSONReader.Refused() }
                    suitesSeen = true
                    try r.array { r throws(JSONReader.Refused) in
                        var casesSeen = false
                        try r.object { r, name throws(JSONReader.Refused) in
                            guard name == "cases" else { return try r.skipValue() }
                            guard !casesSeen else { throw JSONReader.Refused() }
                            casesSeen = true
                            guard r.peek() == UInt8(ascii: "[") else { throw JSONReader.Refused() }
                            let open = r.index
                            var list: [CaseResult] = []
                            try r.array { r throws(JSONReader.Refused) in list.append(try CaseResult.read(&r)) }
                            cuts.append(open + 1 ..< r.index - 1)
                            cases.append(list)
                        }
                        guard casesSeen else { throw JSONReader.Refused() }
                    }
                }
                reader.skipSpace()
                guard reader.atEnd else { return nil }
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
