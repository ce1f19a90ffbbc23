import EvalGuardSupport
import FoundationEssentials

/// What a judged suite's result records about its judge: who judged (the fingerprint and what
/// it covers), what judging cost (kept apart from the model's cost: it is not the feature's, and
/// no threshold gates it), and the judge's answers, which are the judge cache.
package struct JudgeRecord: Codable, Sendable, Equatable {
    /// Blob id of `settings`' canonical JSON.
    package var fingerprint: String
    /// The judge model and its settings, the template's and rubric's digests, the grades, the
    /// samples and the mode: what a fingerprint change is explained with.
    package var settings: JSONValue
    /// Requests the judge answered in this run, and answers taken from the judge cache instead.
    package var requests: Int = 0
    package var cached: Int = 0
    /// Cases whose judging failed (no valid grade, or the judge's request failed).
    package var errors: Int = 0
    package var costUSD: Double?
    package var tokens: Double?
    package var latencyP50Ms: Double?
    package var latencyP95Ms: Double?
    /// With `samples` > 1: the mean share of a case's samples that agree with its majority, the
    /// judge's agreement with itself (1 is a judge that never wavers).
    package var selfAgreement: Double?
    /// The judge cache: the grade of each answer this suite's cases used, by the blob id of the
    /// rendered prompt and the sample's index (`<digest>:<sample>`), under this `fingerprint`.
    /// Grades only: what an answer cost was counted when it was asked, and a small entry keeps
    /// reading and writing results fast.
    package var cache: [String: String] = [:]
    /// Pairwise: the outcomes of this run's comparisons, and the commit whose stored answers
    /// were compared with (the baseline's `from_commit`; nil without one).
    package var pairwise: PairwiseCounts?
    package var reference: String?

    enum CodingKeys: String, CodingKey {
        case fingerprint, settings, requests, cached, errors, tokens, cache, pairwise, reference
        case costUSD = "cost_usd"
        case latencyP50Ms = "latency_p50_ms"
        case latencyP95Ms = "latency_p95_ms"
        case selfAgreement = "self_agreement"
    }

    package init(fingerprint: String, settings: JSONValue) {
        self.fingerprint = fingerprint
        self.settings = settings
    }

    /// The record of a result reused whole: nothing asked, every grade from the cache.
    package var reused: JudgeRecord {
        var copy = JudgeRecord(fingerprint: fingerprint, settings: settings)
        (copy.cached, copy.errors, copy.cache, copy.reference) = (cache.count, errors, cache, reference)
        copy.pairwise = pairwise
        return copy
    }

    /// What a baseline keeps of it.
    package var stamp: JudgeStamp { JudgeStamp(fingerprint: fingerprint, settings: settings) }
}

/// How a pairwise judge's comparisons came out, for the cases compared in one run.
package struct PairwiseCounts: Codable, Sendable, Equatable {
    package var better: Int
    package var ties: Int
    package var worse: Int
    /// Cases with no stored baseline answer to compare with (counted as ties).
    package var unpaired: Int

    package init(better: Int, ties: Int, worse: Int, unpaired: Int) {
        (self.better, self.ties, self.worse, self.unpaired) = (better, ties, worse, unpaired)
    }
}

/// The judge a baseline's suite was scored by.
package struct JudgeStamp: Codable, Sendable, Equatable {
    package var fingerprint: String
    package var settings: JSONValue
}

extension RunResult {
    /// One line per judged suite, apart from the model's figures:
    /// `answers: judge grader: 3 request(s), 27 from the judge cache, $0.0012, 1,234 tokens, p50 310 ms`.
    package var judgeLines: [String] {
        suites.compactMap { suite in
            guard let j = suite.judge else { return nil }
            let name = j.settings["judge"]?.stringValue ?? "?"
            var parts = ["\(j.requests) request(s)", "\(j.cached) from the judge cache"]
            if j.errors > 0 { parts.append("\(j.errors) case(s) without a valid grade") }
            if let c = j.costUSD { parts.append("$" + String(cFormat: "%.4f", c)) }
            if let t = j.tokens { parts.append("\(Int(t)) tokens") }
            if let p50 = j.latencyP50Ms { parts.append("p50 \(Int(p50.rounded())) ms") }
            if let a = j.selfAgreement { parts.append("self-agreement \(Int((a * 100).rounded()))%") }
            if let p = j.pairwise {
                parts.append(
                    "against \(j.reference.map { String($0.prefix(7)) } ?? "no baseline"): \(p.better) better, \(p.ties) tie(s), \(p.worse) worse"
                        + (p.unpaired > 0 ? ", \(p.unpaired) without a baseline answer" : ""))
            }
            return "\(suite.name): judge \(name) (not the feature's cost, not gated): " + parts.joined(separator: ", ")
        }
    }
}
