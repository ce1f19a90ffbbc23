import Foundation
import EvalGuardConfig
import EvalGuardGit
import EvalGuardRunner
import EvalGuardScoring
import EvalGuardStore
import EvalGuardSupport

/// A suite with its cases loaded and checked.
package struct LoadedSuite: Sendable {
    package var config: SuiteConfig
    package var cases: [EvalCase]
    /// Blob id of the case file.
    package var digest: String
}

/// Runs the model over every case of every suite and scores the answers.
package enum Evaluation {
    /// Loads and checks every suite's cases. `read` returns a file's bytes by path from the
    /// repository root (from the working tree or from a commit), or nil when it does not exist.
    package static func loadSuites(_ config: EvalConfig, read: (String) throws -> [UInt8]?) throws -> [LoadedSuite] {
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
    /// stay busy) and scores the answers. With `repeats` > 1 every case is asked that many
    /// times, in rounds over all cases (so the runs of one case are spread over the run rather
    /// than sent back to back to one process), and its runs are folded into one result.
    package static func run(_ suites: [LoadedSuite], provider: ModelProvider, repeats: Int = 1,
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> [SuiteResult] {
        precondition(repeats >= 1, "a case runs at least once")
        let round = suites.flatMap { $0.cases.map { ModelRequest(id: $0.id, input: $0.input) } }
        let requests = Array((0..<repeats).map { _ in round }.joined())
        let total = requests.count
        let started = monotonicNanoseconds()
        let responses = try provider.answer(requests) { progress($0, total) }
        let scoring = ScoringSession()
        var offset = 0
        return suites.map { suite in
            let results = suite.cases.enumerated().map { i, c in
                Repeats.fold((0..<repeats).map { r in
                    score(c, responses[r * round.count + offset + i], suite.config.scorer, scoring, runStart: started)
                })
            }
            offset += suite.cases.count
            return SuiteResult(name: suite.config.name, casesFile: suite.config.casesPath, casesDigest: suite.digest,
                               scorer: suite.config.scorer.name, metrics: Metrics(results), cases: results)
        }
    }

    /// Loads the suites from `directory`, runs the model there, and builds the result of
    /// `commit` (not stored: the caller decides where it goes). `repeats` (`--repeat`)
    /// overrides the configuration's `repeat`; `environment` is where a provider finds what the
    /// configuration names (an API key's variable).
    package static func evaluate(_ config: EvalConfig, in directory: String, commit: String, key: String,
                                dirtyPaths: [String], repeats: Int? = nil, maxCostUSD: Double? = nil,
                                environment: [String: String] = ProcessInfo.processInfo.environment,
                                progress: @escaping (Int, Int) -> Void) throws -> Outcome {
        let runs = repeats ?? config.verdict.repeats
        let suites = try loadSuites(config) { path in
            FileManager.default.contents(atPath: directory + "/" + path).map { Array($0) }
        }
        let setup = try makeProvider(config.model, directory: directory, environment: environment,
                                     maxCostUSD: maxCostUSD ?? config.maxCostUSD)
        let results = try run(suites, provider: setup.provider, repeats: runs, progress: progress)
        let result = RunResult(
            format: RunResult.formatVersion, evalguardVersion: EvalGuardVersion.current, commit: commit,
            dirty: !dirtyPaths.isEmpty, dirtyPaths: dirtyPaths.isEmpty ? nil : dirtyPaths,
            key: key, createdAt: ISO8601DateFormatter().string(from: Date()),
            configDigest: GitHash.blobID(of: config.source.text), model: setup.description,
            repeats: runs > 1 ? runs : nil, suites: results, overall: Metrics(results.flatMap(\.cases)))
        return Outcome(result: result, warnings: setup.warnings)
    }

    /// A run's result and what else the command may want to say about it.
    package struct Outcome {
        package var result: RunResult
        /// Things worth saying that did not stop the run (no price table, for instance).
        package var warnings: [String]
    }

    /// The provider the configuration names, running in `directory` (where relative paths such
    /// as the price table resolve), and how the result records it.
    static func makeProvider(_ model: ModelConfig, directory: String, environment: [String: String],
                             maxCostUSD: Double? = nil) throws
        -> (provider: ModelProvider, description: [String: JSONValue], warnings: [String]) {
        guard let openAI = model.openAI else {
            if maxCostUSD != nil { throw CostLimit.needsPrices(provider: model.provider) }
            return (CommandProvider(config: model, directory: directory),
                    ["provider": .string(model.provider), "command": .array(model.command.map(JSONValue.string))], [])
        }
        let (price, warning) = try openAI.price(repositoryRoot: directory)
        let provider = try OpenAIProvider(model: model, openAI: openAI, price: price, environment: environment)
        if let maxCostUSD {
            guard price != nil else { throw CostLimit.needsPrices(provider: model.provider) }
            provider.maxCostUSD = maxCostUSD
        }
        return (provider, openAI.description(price: price), warning.map { [$0] } ?? [])
    }

    /// Expected answers by suite and case id, to print beside flipped cases: from `commit`, or
    /// from the working tree when nil. Empty when the cases cannot be read (the report then
    /// shows outputs alone).
    package static func expectedAnswers(_ config: EvalConfig, repository: Repository, commit: String?) -> [String: [String: JSONValue]] {
        cases(config, repository: repository, commit: commit).mapValues { $0.mapValues(\.expected) }
    }

    static func score(_ c: EvalCase, _ r: ModelResponse, _ scorer: Scorer, _ scoring: ScoringSession,
                      runStart: UInt64? = nil) -> CaseResult {
        var passed = false
        var digest: String?
        var text: String?
        if let output = r.output {
            let canonical = output.canonicalText
            digest = GitHash.blobID(of: canonical)
            text = canonical.count > CaseResult.outputLimit ? String(canonical.prefix(CaseResult.outputLimit)) + "…" : canonical
            passed = r.error == nil && scoring.passes(scorer, output: output, expected: c.expected)
        }
        var result = CaseResult(id: c.id, passed: passed, score: passed ? 1 : 0, latencyMs: (r.latencyMs * 1000).rounded() / 1000,
                          costUSD: r.costUSD, usage: r.usage, error: r.error, timedOut: r.timedOut ? true : nil, coldStart: r.coldStart ? true : nil,
                          outputDigest: digest, output: text, retries: r.retries > 0 ? r.retries : nil,
                          retryMs: r.retries > 0 ? (r.retryMs * 1000).rounded() / 1000 : nil)
        if r.retries > 0, let runStart {
            result.retryFromMs = (Double(r.retryStartNs > runStart ? r.retryStartNs - runStart : 0) / 1e3).rounded() / 1000
        }
        return result
    }
}
