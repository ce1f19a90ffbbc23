import EvalGuardBlame
import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport

/// `check --bisect` inside a `git bisect` session: the probed commit is sided case by case
/// against the two ends git bisect already knows (`refs/bisect/bad` and every
/// `refs/bisect/good-*`), as `blame` sides its probes (`Blame/Siding.swift`), instead of against
/// the committed baseline. With a small suite a baseline comparison is inconclusive at nearly every
/// step (and skipped); the votes of the cases that differ between the ends decide far more often.
/// A commit is skipped (125) only when those votes cannot decide.
enum BisectVotes {
    /// nil when no bisect session names both ends (then `check --bisect` compares with the baseline).
    static func exitCode(_ arguments: ParsedArguments, _ context: CommandContext) throws -> ExitCode? {
        let repository = try Repository.discover(from: context.workingDirectory)
        guard let bad = repository.commit(ofReference: "refs/bisect/bad") else { return nil }
        let goods = try repository.referenceNames(matching: "refs/bisect/good-*").compactMap(
            repository.commit(ofReference:))
        guard !goods.isEmpty else { return nil }
        let evaluator = Evaluator(repository: repository, environment: context.environment)
        let repeats = try RepeatOption.value(arguments)
        let only = arguments.values("suite").isEmpty ? nil : arguments.values("suite")
        let subject: EvaluationSubject =
            try arguments.value("commit").map { .commit(try repository.resolveCommit($0)) } ?? .workingTree
        let probe = try evaluator.evaluate(subject, repeats: repeats, only: only, progress: context.progressReporter())
        // The ends: evaluated once each, then reused from the store at every later step.
        let badResult = try evaluator.evaluate(.commit(bad), repeats: repeats, only: only).result
        let goodResults = try goods.map { try evaluator.evaluate(.commit($0), repeats: repeats, only: only).result }
        // The metric the ends differ in beyond its threshold, as blame picks it; accuracy otherwise.
        let ends = Gate.compare(baseline: Baseline(result: goodResults[0]), current: badResult, config: probe.config)
        let moved = ends.suites.filter { only?.contains($0.name) ?? true }
            .flatMap { $0.metrics.filter { $0.verdict == .regression || $0.verdict == .inconclusive } }.map(\.metric)
        let metric = GatedMetric.allCases.first(where: moved.contains) ?? .accuracy
        let siding = Siding(metric: metric, suites: only.map(Set.init))
        let tally = goodResults.reduce(Tally()) { $0 + siding.tally(probe: probe.result, good: $1, bad: badResult) }
        let name = probe.result.commit.prefix(7)
        let side = tally.side
        let what =
            side == .good
            ? "sides with the good end" : side == .bad ? "sides with the bad end" : "cannot be sided (skipped)"
        context.console.out(
            "evalguard check --bisect: \(name) \(what): \(tally.bad) case vote(s) for bad, \(tally.good) for good "
                + "(\(metric.rawValue), against refs/bisect/bad \(bad.prefix(7)) and \(goods.count) good end(s))")
        switch side {
        case .good: return .pass
        case .bad: return .regression
        case .withinNoise: return .bisectSkip
        }
    }
}
