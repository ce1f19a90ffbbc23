import EvalGuardConfig
import EvalGuardSupport
import FoundationEssentials

/// `.evals/baseline.json`: the reviewed reference a change is measured against. Written in a
/// stable layout (sorted keys, one metric or case per line) so that `git diff` shows a reviewer
/// exactly which figures and which cases a new baseline changes. A case's line holds only its
/// outcome (`passed`, and `pass_rate` and `runs` with repeats): a prompt change moves every
/// case's cost and latency, and a line per case carrying them would bury the few cases that
/// flipped. The latencies the gate bootstraps from sit in one sorted array per suite (one line);
/// costs are gated on the suite's average, in its metrics.
///
/// A case's `score` is written only when its scorer grades (a score that is not just its pass
/// rate): what the mean_score gate pairs. Format 1 wrote every case's `score` and `cost_usd`; it
/// still reads (`cost_usd` is ignored).
package struct Baseline: Codable, Sendable {
    package static let path = ".evals/baseline.json"
    package static let formatVersion = 2
    /// Formats this evalguard reads: 1 differs from 2 only in per-case fields it no longer writes.
    static let readableFormats = 1...2

    package var format: Int
    /// The commit whose result the baseline was made from.
    package var fromCommit: String
    package var dirty: Bool
    /// Runs per case of the result it was made from; nil for 1 (and in older baselines).
    package var repeats: Int?
    /// The price table the costs were computed with, as the result recorded it (`RunResult.prices`).
    package var prices: JSONValue?
    package var overall: Metrics
    package var suites: [String: BaselineSuite]

    enum CodingKeys: String, CodingKey {
        case format, dirty, overall, suites, prices
        case fromCommit = "from_commit"
        case repeats = "repeat"
    }

    package init(result: RunResult) {
        format = Self.formatVersion
        fromCommit = result.commit
        dirty = result.dirty
        repeats = result.repeats
        prices = result.prices
        overall = result.overall
        suites = Dictionary(
            uniqueKeysWithValues: result.suites.map { suite in
                (
                    suite.name,
                    BaselineSuite(
                        metrics: suite.metrics,
                        cases: Dictionary(
                            uniqueKeysWithValues: suite.cases.map {
                                (
                                    $0.id,
                                    BaselineCase(
                                        passed: $0.passed, score: abs($0.score - $0.passRate) > 1e-12 ? $0.score : nil,
                                        passRate: $0.runs == nil ? nil : $0.passRate, runs: $0.runs)
                                )
                            }),
                        latenciesMs: Metrics.timedLatencies(suite.cases),
                        prices: result.models == nil ? nil : result.prices(ofSuite: suite.name),
                        judge: suite.judge?.stamp)
                )
            })
    }

    /// Reads a baseline; `displayPath` names it in errors ("HEAD:.evals/baseline.json").
    package static func parse(_ file: [UInt8], displayPath: String) throws -> Baseline {
        DecodeTrace.decodedBaseline()
        let bytes = Array(try TextBytes.decode(file, displayPath: displayPath).utf8)
        do {
            let decoder = JSONDecoder()
            let baseline = try read(bytes, decoder: decoder) ?? decoder.decode(Baseline.self, from: Data(bytes))
            guard readableFormats.contains(baseline.format) else {
                throw EvalGuardError(
                    "baseline format \(baseline.format) is not supported by this evalguard (reads \(readableFormats.lowerBound) to \(readableFormats.upperBound))",
                    file: displayPath, hint: "Regenerate it with 'evalguard baseline' and commit it.")
            }
            return baseline
        } catch let error as EvalGuardError {
            throw error
        } catch DecodingError.dataCorrupted {
            var error = ConfigNode.syntaxError(in: String(decoding: bytes, as: UTF8.self), displayPath: displayPath)
            error.message = "not a valid baseline: " + error.message
            error.hint = "Regenerate it with 'evalguard baseline' and commit it."
            throw error
        } catch {
            throw EvalGuardError(
                "not a valid baseline: \(Self.describe(error))", file: displayPath,
                hint: "Regenerate it with 'evalguard baseline' and commit it.")
        }
    }

    static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "missing \"\(key.stringValue)\" at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default:
            return "\(error)"
        }
    }

    /// The file's text in its stable layout.
    package func rendered() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let value = try JSONParser.parse(String(decoding: try encoder.encode(self), as: UTF8.self))
        var out = ""
        // One case per line, so that a diff names the cases a new baseline changes.
        JSONPretty.write(
            Self.rounded(value), inline: { $0.count == 4 && $0[0] == "suites" && $0[2] == "cases" }, to: &out)
        return out + "\n"
    }

    /// Ten significant digits: every figure keeps its precision, but 0.21614999999999998 reads 0.21615.
    private static func rounded(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let n): return .number(Double(String(cFormat: "%.10g", n)) ?? n)
        case .array(let items): return .array(items.map(rounded))
        case .object(let dict): return .object(dict.mapValues(rounded))
        default: return value
        }
    }
}

package struct BaselineSuite: Codable, Sendable {
    package var metrics: Metrics
    package var cases: [String: BaselineCase]
    /// Latencies of the answered cases, sorted: the distribution, for comparing percentiles.
    package var latenciesMs: [Double]
    /// Where this suite was recorded, when not where the baseline's top-level `from_commit` and
    /// `dirty` say: a suite kept by `baseline --suite` while others were recorded anew.
    package var fromCommit: String?
    package var dirty: Bool?
    /// With more than one model: the price table of this suite's model (see `Baseline.prices`).
    package var prices: JSONValue?
    /// The judge that scored a judged suite: a result judged otherwise is not compared with it.
    package var judge: JudgeStamp? = nil

    enum CodingKeys: String, CodingKey {
        case metrics, cases, dirty, prices, judge
        case latenciesMs = "latencies_ms"
        case fromCommit = "from_commit"
    }
}

extension Baseline {
    /// This baseline with the suites of `result` recorded anew and the other suites named in
    /// `keeping` as they were (`baseline --suite`); a suite in neither is dropped. A kept suite
    /// recorded from another state than `result` carries its own `from_commit` (and `dirty`).
    /// The overall row is combined from the suites' figures.
    package func replacingSuites(with result: RunResult, keeping names: [String]) -> Baseline {
        var updated = Baseline(result: result)
        for name in names where updated.suites[name] == nil {
            guard var suite = suites[name] else { continue }
            if suite.fromCommit == nil, fromCommit != result.commit || dirty != result.dirty {
                (suite.fromCommit, suite.dirty) = (fromCommit, dirty ? true : nil)
            }
            updated.suites[name] = suite
        }
        updated.overall = Metrics(
            combining: updated.suites.sorted { $0.key < $1.key }.map { ($0.value.metrics, $0.value.latenciesMs) })
        return updated
    }
}

package struct BaselineCase: Codable, Sendable, Equatable {
    package var passed: Bool
    /// The case's score when it is not its pass rate (see `scoreValue`).
    package var score: Double?
    /// Read from format 1 baselines only; nothing uses it, and new baselines leave it out.
    package var costUSD: Double?
    /// With repeats: the share of the case's runs that passed, and how many runs there were.
    /// Absent for a case run once (and in baselines written before repeats existed).
    package var passRate: Double?
    package var runs: Int?

    enum CodingKeys: String, CodingKey {
        case passed, score, runs
        case costUSD = "cost_usd"
        case passRate = "pass_rate"
    }

    package init(passed: Bool, score: Double? = nil, costUSD: Double? = nil, passRate: Double? = nil, runs: Int? = nil)
    {
        self.passed = passed
        self.score = score
        self.costUSD = costUSD
        self.passRate = passRate
        self.runs = runs
    }

    /// Runs that passed, out of `runCount`: what the paired accuracy test reads.
    package var runCount: Int { max(runs ?? 1, 1) }
    package var passes: Int {
        guard let passRate, runs != nil else { return passed ? 1 : 0 }
        // Clamped before the conversion: a pass_rate of 1e300 (or NaN) in a hand-edited file would trap.
        guard passRate.isFinite else { return 0 }
        let rate = min(1, max(0, passRate))
        return rate == 1 ? runCount : min(runCount, Int((rate * Double(runCount)).rounded()))
    }
    package var isFlaky: Bool { passes > 0 && passes < runCount }
    /// The score the mean_score gate pairs: the stored one, else the pass rate (a pass/fail
    /// scorer's score).
    package var scoreValue: Double { score ?? Double(passes) / Double(runCount) }
}
