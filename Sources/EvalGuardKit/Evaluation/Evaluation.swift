import Foundation

/// A suite with its cases loaded and checked.
public struct LoadedSuite: Sendable {
    public var config: SuiteConfig
    public var cases: [EvalCase]
    /// Blob id of the case file.
    public var digest: String
}

/// Runs the model over every case of every suite and scores the answers.
public enum Evaluation {
    /// Loads and checks every suite's cases. `read` returns a file's bytes by path from the
    /// repository root (from the working tree or from a commit), or nil when it does not exist.
    public static func loadSuites(_ config: EvalConfig, read: (String) throws -> [UInt8]?) throws -> [LoadedSuite] {
        try config.suites.map { suite in
            guard let bytes = try read(suite.casesPath) else {
                throw suite.node.child("cases", .string(suite.cases))
                    .error("the case file \(suite.casesPath) does not exist", hint: "Paths in \"cases\" are relative to .evals/.")
            }
            let cases = try CaseFile.parse(bytes, displayPath: suite.casesPath, scorer: suite.scorer)
            return LoadedSuite(config: suite, cases: cases, digest: GitHash.blobID(of: bytes))
        }
    }

    /// Asks the provider about every case (all suites share one queue, so the model's processes
    /// stay busy) and scores the answers.
    public static func run(_ suites: [LoadedSuite], provider: ModelProvider,
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> [SuiteResult] {
        let requests = suites.flatMap { $0.cases.map { ModelRequest(id: $0.id, input: $0.input) } }
        let total = requests.count
        let responses = try provider.answer(requests) { progress($0, total) }
        let scoring = ScoringSession()
        var offset = 0
        return suites.map { suite in
            let results = suite.cases.enumerated().map { i, c in
                score(c, responses[offset + i], suite.config.scorer, scoring)
            }
            offset += suite.cases.count
            return SuiteResult(name: suite.config.name, casesFile: suite.config.casesPath, casesDigest: suite.digest,
                               scorer: suite.config.scorer.name, metrics: Metrics(results), cases: results)
        }
    }

    static func score(_ c: EvalCase, _ r: ModelResponse, _ scorer: Scorer, _ scoring: ScoringSession) -> CaseResult {
        var passed = false
        var digest: String?
        var text: String?
        if let output = r.output {
            let canonical = output.canonicalText
            digest = GitHash.blobID(of: canonical)
            text = canonical.count > CaseResult.outputLimit ? String(canonical.prefix(CaseResult.outputLimit)) + "…" : canonical
            passed = r.error == nil && scoring.passes(scorer, output: output, expected: c.expected)
        }
        return CaseResult(id: c.id, passed: passed, score: passed ? 1 : 0, latencyMs: (r.latencyMs * 1000).rounded() / 1000,
                          costUSD: r.costUSD, usage: r.usage, error: r.error, timedOut: r.timedOut ? true : nil, coldStart: r.coldStart ? true : nil,
                          outputDigest: digest, output: text, retries: r.retries > 0 ? r.retries : nil,
                          retryMs: r.retries > 0 ? (r.retryMs * 1000).rounded() / 1000 : nil)
    }
}
