import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardHistory
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// Finds the commit that caused a regression with as few model runs as it can: stored results
/// first (free: they narrow the range before any key is read but the probed commits'), then the
/// commits left grouped by evaluation key (commits with the same key share a result, so the search
/// runs over distinct keys), then bisection of what remains, each probe evaluated in an isolated
/// checkout and stored, so the same search a second time runs no model.
package final class Blame {
    let repository: Repository
    let index: HistoryIndex
    let stored: StoredResults
    let evaluator: Evaluator
    let options: BlameOptions
    /// Diagnostics (a commit skipped, a retry that failed), one line each (stderr).
    let log: (String) -> Void
    /// Progress (what is being evaluated, which side a probe took): for a terminal only.
    let progress: (String) -> Void

    /// Results at hand, by evaluation key.
    var results: [String: RunResult] = [:]
    /// Partial probes (the deciding cases and a control sample), by evaluation key: never in `results`.
    var partials: [String: RunResult] = [:]
    /// Under --suite, commits' whole evaluation keys once read (stored results are kept by them).
    var evaluationKeys: [ObjectID: String?] = [:]
    var evaluations = 0

    package init(
        repository: Repository, options: BlameOptions, log: @escaping (String) -> Void = { _ in },
        progress: @escaping (String) -> Void = { _ in }
    ) {
        self.repository = repository
        self.index = HistoryIndex(repository: repository, keyingEveryCommit: true)
        self.stored = StoredResults(repository: repository)
        self.evaluator = Evaluator(repository: repository)
        self.options = options
        self.log = log
        self.progress = progress
    }

    /// A run of consecutive commits (oldest first) with one evaluation key; nil when the
    /// configuration cannot be read (such a commit is skipped).
    struct Segment {
        var key: String?
        var commits: [HistoryIndex.Entry]
        var first: HistoryIndex.Entry { commits[0] }
    }

    package func run() throws -> BlameAnswer {
        var answer = try search()
        answer.keyedCommits = index.commitsKeyed
        return answer
    }

    func search() throws -> BlameAnswer {
        let badSHA = try repository.resolveCommit(options.bad)
        let badEntry = try index.entry(badSHA)
        let badConfig = try index.config(of: badEntry).get()
        if let suite = options.suite, !badConfig.suites.contains(where: { $0.name == suite }) {
            throw EvalGuardError(
                "no suite '\(suite)' in \(EvalConfig.path) at \(options.bad)",
                hint: "Suites: " + badConfig.suites.map(\.name).joined(separator: ", "))
        }
        let suiteFilter = options.suite.map { Set([$0]) }
        var (span, reason) = try chooseRange(bad: badEntry)
        if options.good == nil {
            switch try mostRecentWithinThresholds(span, config: badConfig) {
            case .at(let newer):
                span = span.suffix(from: newer)
                reason =
                    "the most recent commit whose stored result has no gated metric beyond its threshold (significant or not) against the baseline committed at \(options.bad)"
            case .noneWithin: reason += " (no stored result since has every gated metric within its threshold)"
            case .goodEnd, .nothingStored: break
            }
        }
        let goodEntry = try span.entry(0)
        var answer = BlameAnswer(
            status: .noRegression, good: try repository.commitInfo(goodEntry.sha),
            bad: try repository.commitInfo(badSHA), goodReason: reason, metric: options.metric,
            suites: options.suite.map { [$0] } ?? badConfig.suites.map(\.name),
            commitsInRange: span.last, distinctKeys: nil, evaluations: 0)
        guard try span.key(0) != span.key(span.last) else {
            answer.note =
                "nothing \(options.suite.map { "suite '\($0)'" } ?? "the model") depends on changed between \(goodEntry.sha.prefix(7)) and \(badSHA.prefix(7))"
            return answer
        }
        let goodResult = try endResult(span, label: "good")
        let badResult = try endResult(span, label: "bad")
        let comparison = Gate.compare(
            baseline: Baseline(result: scoped(goodResult)), current: scoped(badResult), config: badConfig)
        // Beyond the threshold is worth searching even when the ends' difference is within noise
        // (inconclusive): the user saw it; the answer then says how sure it can be.
        let beyond = comparison.suites.filter { suiteFilter?.contains($0.name) ?? true }
            .flatMap { $0.metrics.filter { $0.verdict == .regression || $0.verdict == .inconclusive } }
        let regressed = beyond.map(\.metric)
        guard
            let metric = options.metric.map({ regressed.contains($0) ? $0 : nil })
                ?? GatedMetric.allCases.first(where: regressed.contains)
        else {
            let what = options.metric?.rawValue ?? "any gated metric"
            answer.note =
                "\(badSHA.prefix(7)) does not regress in \(what) against \(goodEntry.sha.prefix(7)) beyond the thresholds committed at \(options.bad)"
            answer.evaluations = evaluations
            return answer
        }
        if !beyond.contains(where: { $0.metric == metric && $0.verdict == .regression }) {
            answer.note =
                "the ends differ in \(metric.rawValue) beyond the threshold but within noise (inconclusive): treat the answer as a lead, not a verdict"
        }
        let siding = Siding(metric: metric, suites: suiteFilter)
        answer.metric = metric
        answer.goodValue = siding.aggregate(goodResult)
        answer.badValue = siding.aggregate(badResult)
        let search = try bisect(span, siding: siding, good: goodResult, bad: badResult)
        let segs = search.segments
        answer.distinctKeys = search.distinctKeys
        answer.skipped = search.skipped
        answer.uncertain = search.uncertain
        answer.probes = search.probes
        let (lo, hi) = search.bisection.bounds
        if hi == lo + 1 {
            answer.status = .found
            answer.culprit = try culprit(
                segs[hi], before: segs[lo], siding: siding, suites: suiteFilter, good: goodResult)
        } else {
            answer.status = .ambiguous
            answer.candidates = try search.bisection.candidates.map { try repository.commitInfo(segs[$0].first.sha) }
        }
        answer.evaluations = evaluations
        return answer
    }

    /// The commits from the good end to the bad end, and why that good end. Only commit headers
    /// are read for a range given with --good; without it, each commit's `.evals` blobs, to find
    /// the one that last changed the baseline.
    func chooseRange(bad: HistoryIndex.Entry) throws -> (KeyedRange, String) {
        if let revision = options.good {
            let good = try repository.resolveCommit(revision)
            let notAncestor = EvalGuardError(
                "--good \(revision) is not an ancestor of --bad \(options.bad)",
                hint: "The good commit must come before the bad one in history (see 'git log --first-parent').")
            guard good != bad.sha, let goodID = ObjectID(hex: good) else {
                throw EvalGuardError(
                    "--good \(revision) and --bad \(options.bad) are the same commit (\(good.prefix(7))): there is no range to search",
                    hint:
                        "Give --good a commit before the regression, for example the last one whose result passed (see 'evalguard log'),\n"
                        + "or leave --good out to start from the commit that last changed \(Baseline.path).")
            }
            // Usually the good commit is on the first-parent line: walking to it proves it an
            // ancestor. Otherwise ask for the merge-base (costly over long histories), and let a
            // revwalk hide the good commit's ancestors.
            var range = try index.firstParentIDs(from: bad.id, stop: goodID)
            if let last = range.last, index.isShallowBoundary(try index.entry(last)) {
                throw historyCut(at: try index.entry(last))
            }
            if try range.last.flatMap({ try index.firstParent(of: $0) }) != goodID {
                guard try repository.mergeBase(good, bad.sha) == good else { throw notAncestor }
                range = try repository.commits(from: bad.sha, hiding: good, firstParent: true).compactMap {
                    ObjectID(hex: $0)
                }
            }
            return (
                KeyedRange(index: index, ids: [goodID] + range.reversed(), suite: options.suite), "given with --good"
            )
        }
        guard bad.baselineBlob != nil else {
            throw EvalGuardError(
                "no baseline committed at \(options.bad): nothing says which results are good",
                hint: "Name a commit known to be good: evalguard blame --good <rev>")
        }
        let walk = try index.firstParentChain(from: bad.sha, until: { (try? self.index.changesBaseline($0)) ?? true })
        let changed = walk.last! // never empty: the chain starts at `bad` itself (no stop, no limit)
        if index.isShallowBoundary(changed) { throw historyCut(at: changed) }
        guard changed.sha != bad.sha else {
            throw EvalGuardError(
                "\(options.bad) itself changed \(Baseline.path), so there is no range to search by default",
                hint: "Name a commit known to be good: evalguard blame --good <rev>")
        }
        return (
            KeyedRange(index: index, ids: walk.reversed().map(\.id), suite: options.suite),
            "the commit that last changed \(Baseline.path)"
        )
    }

    /// The search would have to go below a shallow clone's boundary, where the commits are not there.
    func historyCut(at entry: HistoryIndex.Entry) -> EvalGuardError {
        EvalGuardError(
            "history is cut at \(entry.sha.prefix(7)): this is a shallow clone, and the range to search goes beyond the commits it holds",
            hint:
                "Fetch more history, then run blame again:\n  git fetch --deepen=100   (or all of it: git fetch --unshallow)\n"
                + "or name a good commit inside this clone: evalguard blame --good <rev>")
    }

    /// What the search for a newer good end found (`mostRecentWithinThresholds`).
    enum GoodEnd {
        /// This position: the newest of its run of one key.
        case at(Int)
        /// A stored result within the thresholds shares the good end's key: the good end stays.
        case goodEnd
        /// Stored results were compared, and none is within the thresholds.
        case noneWithin
        /// No commit of the range has a result of its own.
        case nothingStored
    }

    /// The newest commit before the bad end's keys whose stored result has no gated metric beyond
    /// its threshold against the baseline committed at the bad end, as measured: a drop beyond the
    /// threshold that is within noise (inconclusive) is as bad as a significant one here, since
    /// the regression being searched for may be exactly that drop. Found without decoding every
    /// stored result or reading every key: gallop back from the bad end over the commits with a
    /// result of their own (the one nearest 1, 2, 4, … commits back), then halve between the last
    /// one beyond and the first within. That is the most recent one within under the assumption
    /// bisection itself makes (once bad, bad until fixed).
    func mostRecentWithinThresholds(_ span: KeyedRange, config: EvalConfig) throws -> GoodEnd {
        guard !stored.noOwnResults,
            let committed = try CommittedBaseline.find(
                in: repository, commit: try repository.resolveCommit(options.bad),
                revision: options.bad)?.baseline
        else { return .nothingStored }
        var baseline = committed
        if let suite = options.suite { baseline.suites = baseline.suites.filter { $0.key == suite } }
        let badKey = try span.key(span.last)
        func within(_ i: Int) throws -> Bool {
            // A commit with the bad end's key is the bad end's segment, as good as beyond.
            guard let key = try span.key(i), key != badKey,
                let result = storedResult(Segment(key: key, commits: [try span.entry(i)]))
            else { return false }
            let comparison = Gate.compare(baseline: baseline, current: scoped(result), config: config)
            return !comparison.suites.contains { s in
                s.metrics.contains {
                    ($0.verdict == .regression || $0.verdict == .inconclusive)
                        && (options.metric ?? $0.metric) == $0.metric
                }
            }
        }
        var beyond = span.last
        var step = 1
        var found: Int
        while true {
            guard
                let probe = span.nearestWithOwnResult(
                    between: -1, and: beyond, middle: Double(max(span.last - step, 0)), in: stored)
            else {
                return step == 1 ? .nothingStored : .noneWithin
            }
            if try within(probe) {
                found = probe
                break
            }
            beyond = probe
            step *= 2
        }
        while let mid = span.nearestWithOwnResult(
            between: found, and: beyond, middle: Double(found + beyond) / 2, in: stored)
        {
            if try within(mid) { found = mid } else { beyond = mid }
        }
        // In the good end's run of one key: the good end stays where it is.
        if try span.run(from: found, step: -1).last == 0 { return .goodEnd }
        return .at(try span.run(from: found, step: 1).last!) // a run holds at least its start
    }

    /// A stored result of the segment, decoded once and kept by key.
    func storedResult(_ segment: Segment) -> RunResult? {
        guard let key = segment.key else { return nil }
        if let known = results[key] { return known }
        guard let (via, evaluationKey) = storedSource(segment),
            case .success(let config) = index.config(of: via),
            let result = stored.load(key: evaluationKey, commit: via.sha, repeats: config.verdict.repeats)
        else { return nil }
        results[key] = result
        return result
    }

    /// An end of the range must be evaluated for the search to mean anything: when it cannot be
    /// (its model crashes, its configuration is broken), blame stops with exit 3, naming the end.
    /// Its own stored result (or one under its key) serves first; else one noted on a commit of
    /// the same key beside it, which only then has its key read; else it is evaluated.
    func endResult(_ span: KeyedRange, label: String) throws -> RunResult {
        let end = label == "good" ? 0 : span.last
        let key = try span.key(end)
        if let result = storedResult(Segment(key: key, commits: [try span.entry(end)])) { return result }
        let segment = Segment(
            key: key, commits: try span.run(from: end, step: label == "good" ? 1 : -1).sorted().map(span.entry))
        if segment.commits.count > 1, let result = storedResult(segment) { return result }
        let commit = label == "good" ? segment.commits.last! : segment.first // a run holds at least its start
        progress("evaluating the \(label) end \(commit.sha.prefix(7))")
        do {
            return try evaluate(commit.sha, key: segment.key, fresh: false)
        } catch let error as EvalGuardError where error.exitCode != .interrupted {
            throw EvalGuardError.evaluation(
                "the \(label) end \(commit.sha.prefix(7)) cannot be evaluated: "
                    + (error.location.map { $0 + ": " } ?? "") + error.message, hint: error.hint)
        }
    }

    func evaluate(_ sha: String, key: String?, fresh: Bool) throws -> RunResult {
        let evaluation = try evaluator.evaluate(.commit(sha), fresh: fresh, only: options.suite.map { [$0] })
        // An evaluation is one that asked a model: answers all taken from stored results cost nothing.
        if !evaluation.reusedAnswers { evaluations += 1 }
        if let key { results[key] = evaluation.result }
        return evaluation.result
    }
}
