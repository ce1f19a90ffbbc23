import EvalGuardSupport
import FoundationEssentials

extension Baseline {
    /// A baseline read with its cases (one line per case, most of the file) and each suite's
    /// latencies (one number per answered case) decoded by hand, the rest by `JSONDecoder` with
    /// those cut out, as `RunResult.read` reads a result. Nil
    /// when the reader refuses anything or the rest does not decode: `parse` then decodes the
    /// whole file with `JSONDecoder`, which decides and words the error.
    static func read(_ bytes: [UInt8], decoder: JSONDecoder) -> Baseline? {
        bytes.withUnsafeBufferPointer { buffer -> Baseline? in
            var reader = JSONReader(buffer)
            var cases: [String: [String: BaselineCase]] = [:]
            var latencies: [String: [Double]] = [:]
            var cuts: [Range<Int>] = []
            // `overall.cases` precedes `suites` (sorted keys): the tables are made their size at once.
            var expected = 0
            var counted = 0
            do {
                try reader.document(
                    member: "suites",
                    others: { r, name throws(JSONReader.Refused) in
                        guard name == "overall", r.peek() == UInt8(ascii: "{") else { return try r.skipValue() }
                        try r.object { r, name throws(JSONReader.Refused) in
                            guard name == "cases", r.peek() != UInt8(ascii: "-") else { return try r.skipValue() }
                            expected = try r.int()
                        }
                    }
                ) { r throws(JSONReader.Refused) in
                    try r.object { r, suite throws(JSONReader.Refused) in
                        guard cases[suite] == nil else { throw JSONReader.Refused() }
                        var list: [String: BaselineCase]?
                        var timed: [Double]?
                        try r.object { r, name throws(JSONReader.Refused) in
                            switch name {
                            case "cases":
                                guard list == nil else { throw JSONReader.Refused() }
                                var read: [String: BaselineCase] = [:]
                                // No more than the bytes left could hold: a forged count reserves nothing absurd.
                                read.reserveCapacity(min(max(0, expected - counted), (buffer.count - r.index) / 16))
                                cuts.append(
                                    try r.bracketed(UInt8(ascii: "{")) { r throws(JSONReader.Refused) in
                                        try r.object { r, id throws(JSONReader.Refused) in
                                            guard read[id] == nil else { throw JSONReader.Refused() }
                                            read[id] = try BaselineCase.read(&r)
                                        }
                                    })
                                counted += read.count
                                list = read
                            case "latencies_ms":
                                guard timed == nil else { throw JSONReader.Refused() }
                                var read: [Double] = []
                                cuts.append(
                                    try r.bracketed(UInt8(ascii: "[")) { r throws(JSONReader.Refused) in
                                        try r.array { r throws(JSONReader.Refused) in read.append(try r.double()) }
                                    })
                                timed = read
                            default:
                                try r.skipValue()
                            }
                        }
                        guard let list, let timed else { throw JSONReader.Refused() }
                        cases[suite] = list
                        latencies[suite] = timed
                    }
                }
            } catch {
                return nil
            }
            let rest = JSONReader.removing(cuts, from: buffer)
            guard var baseline = try? decoder.decode(Baseline.self, from: Data(rest)),
                Set(baseline.suites.keys) == Set(cases.keys)
            else { return nil }
            for (name, list) in cases {
                baseline.suites[name]?.cases = list
                baseline.suites[name]?.latenciesMs = latencies[name] ?? []
            }
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
            let bit: UInt8 =
                switch name {
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
