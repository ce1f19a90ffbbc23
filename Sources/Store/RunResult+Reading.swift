import EvalGuardSupport
import FoundationEssentials

extension RunResult {
    /// A stored result read with what grows with its cases read by hand, straight into their
    /// layout: the cases (`CaseResult.read`) and the ids of the cases a suite ran
    /// (`reuse.ran`), which a result whose cases all ran lists one per case. The rest of the
    /// document (a few fields and figures per suite) is still read by `JSONDecoder`, with those
    /// arrays cut out, so it is exactly as strict as before. Nil when the reader refuses anything
    /// (a member it does not know, a form it is unsure of) or the rest does not decode: the
    /// caller then reads the whole document with `JSONDecoder`, which decides.
    static func read(_ data: Data, decoder: JSONDecoder) -> RunResult? {
        data.withUnsafeBytes { raw in read(raw.bindMemory(to: UInt8.self), decoder: decoder) }
    }

    /// `read`, telling `passed` how far it has read after each case: what lies before is not read
    /// again by the hand reader (`MappedFile.release(before:)`).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, decoder: JSONDecoder, passed: (Int) -> Void = { _ in })
        -> RunResult?
    {
        var reader = JSONReader(bytes)
        var cases: [[CaseResult]] = []
        var ran: [[String]?] = []
        var cuts: [Range<Int>] = []
        // `overall.cases` precedes `suites` in a result written with sorted keys: the arrays are
        // made their size at once, rather than grown through copies of up to twice the size.
        var expected = 0
        var counted = 0
        var suitesRead = false
        do {
            try reader.object { r, name throws(JSONReader.Refused) in
                switch name {
                case "overall" where r.peek() == UInt8(ascii: "{"):
                    try r.object { r, name throws(JSONReader.Refused) in
                        guard name == "cases", r.peek() != UInt8(ascii: "-") else { return try r.skipValue() }
                        expected = try r.int()
                    }
                case "suites":
                    guard !suitesRead else { throw JSONReader.Refused() }
                    suitesRead = true
                    try r.array { r throws(JSONReader.Refused) in
                        // No more than the bytes left could hold: a forged count reserves nothing absurd.
                        let capacity = min(max(0, expected - counted), (bytes.count - r.index) / 32)
                        let (list, ids) = try readSuite(&r, cuts: &cuts, capacity: capacity, passed: passed)
                        counted += list.count
                        cases.append(list)
                        ran.append(ids)
                    }
                default:
                    try r.skipValue()
                }
            }
            reader.skipSpace()
            guard reader.atEnd, suitesRead else { throw JSONReader.Refused() }
        } catch {
            return nil
        }
        let rest = JSONReader.removing(cuts, from: bytes)
        guard var result = try? decoder.decode(RunResult.self, from: Data(rest)), result.suites.count == cases.count
        else { return nil }
        for i in result.suites.indices {
            result.suites[i].cases = cases[i]
            if let ids = ran[i] {
                guard result.suites[i].reuse != nil else { return nil }
                result.suites[i].reuse?.ran = ids
            }
        }
        return result
    }

    /// One suite's cases and, when it has them, the ids in `reuse.ran`; the rest of it is left to the decoder.
    private static func readSuite(
        _ r: inout JSONReader, cuts: inout [Range<Int>], capacity: Int,
        passed: (Int) -> Void
    ) throws(JSONReader.Refused) -> ([CaseResult], [String]?) {
        var list: [CaseResult]?
        var ranIDs: [String]?
        try r.object { r, name throws(JSONReader.Refused) in
            switch name {
            case "cases":
                guard list == nil else { throw JSONReader.Refused() }
                var read: [CaseResult] = []
                read.reserveCapacity(capacity)
                cuts.append(
                    try r.bracketed(UInt8(ascii: "[")) { r throws(JSONReader.Refused) in
                        try r.array { r throws(JSONReader.Refused) in
                            read.append(try CaseResult.read(&r))
                            passed(r.index)
                        }
                    })
                list = read
            case "reuse" where r.peek() == UInt8(ascii: "{"):
                guard ranIDs == nil else { throw JSONReader.Refused() }
                var ids: [String] = []
                let found = try r.object(member: "ran") { r throws(JSONReader.Refused) in
                    cuts.append(
                        try r.bracketed(UInt8(ascii: "[")) { r throws(JSONReader.Refused) in
                            try r.array { r throws(JSONReader.Refused) in ids.append(try r.string()) }
                        })
                }
                // Without `ran` the decoder refuses the rest, as it refused the whole.
                ranIDs = found ? ids : nil
            default:
                try r.skipValue()
            }
        }
        guard let list else { throw JSONReader.Refused() }
        return (list, ranIDs)
    }
}
