import EvalGuardConfig
import EvalGuardGit
import EvalGuardStatistics
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// What `ci` asks of an evaluation that reuses stored answers: audit them first.
package struct AuditRequest: Sendable {
    /// Mixed into each suite's seed with the commit (`EVALGUARD_AUDIT_KEY`): with a secret kept
    /// in CI, not even whoever makes the commit can tell which cases the audit will pick.
    package var secret: String?
    package init(secret: String? = nil) { self.secret = secret }
}

/// One suite's audit: a seeded sample of its reused cases asked of the model again and held
/// against the stored answers.
package struct SuiteAudit: Sendable, Equatable {
    package var suite: String
    /// Cases of the suite taken from stored results, before the audit.
    package var reused: Int
    /// Ids of the cases asked again, in the case file's order.
    package var sampled: [String]
    /// Ids whose new answer disagreed with the stored one (deterministic: output, outcome or
    /// token usage; noisy: the pass outcome).
    package var mismatched: [String]
    /// False for a deterministic model, whose every answer must match.
    package var noisy: Bool
    /// Noisy only: sampled cases the stored result passed and the model now fails, the reverse,
    /// and the two-sided exact McNemar p-value of that split.
    package var storedPassedOnly = 0
    package var auditPassedOnly = 0
    package var pValue: Double?
    /// True when the stored answers are kept; false when they were discarded and the suite runs in full.
    package var trusted: Bool

    package var matched: Int { sampled.count - mismatched.count }
}

extension Evaluation {
    /// What an audit did, and what it cost.
    struct AuditOutcome {
        var suites: [SuiteAudit]
        var spentUSD: Double
        var warnings: [String]
    }

    /// Audits the answers `plans` take from stored results, suite by suite: a sample of each
    /// suite's reused cases (`audit_sample`, seeded by `seed(commit:suite:secret:)`) is asked of
    /// the suite's model again. A deterministic model's answers must all match the stored ones; a
    /// noisy model's pass outcomes must not differ significantly (exact McNemar on the
    /// discordant cases, two-sided, at `alpha`). A suite that fails loses its stored answers
    /// in `plans`, so it runs in full. With `only` (`--suite`), the other suites, which nothing
    /// gates, are not audited. `asking` grades the fresh answers: it must hold no judge grades or
    /// embeddings from the stored results under audit, or a forged result would vouch for itself.
    static func audit(
        _ config: EvalConfig, plans: inout [SuitePlan], only: [String]? = nil, commit: String, request: AuditRequest,
        asking: Asking, repeats: Int, progress: @escaping (Int, Int) -> Void
    ) throws -> AuditOutcome {
        var samples: [(plan: Int, indices: [Int])] = []
        for (p, plan) in plans.enumerated()
        where !plan.kept.isEmpty && only.map({ $0.contains(plan.suite.config.name) }) ?? true {
            let reused = plan.kept.keys.sorted()
            let n = config.auditSample.size(reused: reused.count)
            let seed = Self.auditSeed(commit: commit, suite: plan.suite.config.name, secret: request.secret)
            samples.append((p, sample(reused, count: n, seed: seed)))
        }
        guard !samples.isEmpty else { return AuditOutcome(suites: [], spentUSD: 0, warnings: []) }
        let asked = samples.map { s in
            var suite = plans[s.plan].suite
            suite.cases = s.indices.map { suite.cases[$0] }
            return suite
        }
        let out = try runByModel(config, asked, asking: asking, repeats: repeats, progress: progress)
        let answers = Dictionary(uniqueKeysWithValues: out.results.map { ($0.name, $0) })
        var audits: [SuiteAudit] = []
        for s in samples {
            let plan = plans[s.plan]
            let name = plan.suite.config.name
            let fresh = Dictionary((answers[name]?.cases ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let noisy = !config.model(of: plan.suite.config).isDeterministic(repeats: repeats)
            var audit = SuiteAudit(
                suite: name, reused: plan.kept.count, sampled: [], mismatched: [], noisy: noisy, trusted: true)
            // The sample is drawn from the kept cases' indices, so each has its stored answer.
            for (i, stored) in s.indices.compactMap({ i in plan.kept[i].map { (i, $0) } }) {
                let id = plan.suite.cases[i].id
                audit.sampled.append(id)
                if let answer = fresh[id], agrees(stored, answer, noisy: noisy) { continue }
                audit.mismatched.append(id)
                let passedNow = fresh[id]?.passed ?? false
                if stored.passed && !passedNow { audit.storedPassedOnly += 1 }
                if !stored.passed && passedNow { audit.auditPassedOnly += 1 }
            }
            if noisy {
                let p = McNemar.pValue(regressed: audit.storedPassedOnly, fixed: audit.auditPassedOnly)
                audit.pValue = p
                audit.trusted = p >= config.verdict.alpha
            } else {
                audit.trusted = audit.mismatched.isEmpty
            }
            if !audit.trusted {
                plans[s.plan].kept = [:]
                plans[s.plan].reuse = SuiteReuse()
            }
            audits.append(audit)
        }
        return AuditOutcome(suites: audits, spentUSD: asking.spentUSD, warnings: out.warnings)
    }

    /// Whether a new answer agrees with the stored one. A noisy model's answers may differ, so
    /// only the pass outcome counts (for repeated cases, the majority of runs). A deterministic
    /// model must give the same output (by digest), outcome, number of passing runs, and token
    /// usage (or, without usage, reported cost): what the stored result's metrics were made of.
    static func agrees(_ stored: CaseResult, _ fresh: CaseResult, noisy: Bool) -> Bool {
        if noisy { return stored.passed == fresh.passed }
        // Input and output tokens by either API's names (Anthropic's `input_tokens`, `output_tokens`).
        func tokens(_ c: CaseResult) -> [Double?] {
            [
                c.usage?["prompt_tokens"] ?? c.usage?["input_tokens"],
                c.usage?["completion_tokens"] ?? c.usage?["output_tokens"],
            ]
        }
        return fresh.error == nil && stored.outputDigest != nil && stored.outputDigest == fresh.outputDigest
            && stored.passed == fresh.passed && stored.passCount == fresh.passCount
            && tokens(stored) == tokens(fresh) && (fresh.usage != nil || stored.costUSD == fresh.costUSD)
    }

    /// The seed of a suite's sample: the first 8 bytes of SHA-256 over the commit id, the suite's
    /// name and the optional secret. The same commit always audits the same cases (a rerun of a
    /// job re-checks what the first run checked), and nobody can know them before the commit
    /// exists, since its id covers its tree, parents, author, time and message.
    package static func auditSeed(commit: String, suite: String, secret: String?) -> UInt64 {
        let text =
            "evalguard audit sample\ncommit \(commit)\nsuite \(suite)\n" + (secret.map { "secret \($0)\n" } ?? "")
        return SHA256.digest(Array(text.utf8)).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// `count` of `items` picked uniformly without replacement (a partial Fisher-Yates shuffle
    /// driven by `SeededGenerator`), returned in their original order.
    package static func sample(_ items: [Int], count: Int, seed: UInt64) -> [Int] {
        var pool = items
        var generator = SeededGenerator(seed: seed)
        let n = min(count, pool.count)
        for i in 0..<n { pool.swapAt(i, i + generator.index(below: pool.count - i)) }
        return pool.prefix(n).sorted()
    }
}
