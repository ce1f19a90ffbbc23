import Foundation
import EvalGuardCompare
import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardHistory
import EvalGuardStore
import EvalGuardSupport

/// Finds the commit that caused a regression with as few model runs as it can: stored results
/// first (free), commits grouped by evaluation key (commits with the same key share a result, so
/// the search runs over distinct keys), then bisection of what remains, each probe evaluated in an
/// isolated checkout and stored, so the same search a second time runs no model.
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
    var evaluations = 0

    package init(repository: Repository, options: BlameOptions, log: @escaping (String) -> Void = { _ in },
                 progress: @escaping (String) -> Void = { _ in }) {
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

    func segments(_ entries: [HistoryIndex.Entry]) -> [Segment] {
        var out: [Segment] = []
        for e in entries {
            let key = index.key(of: e)
            if let key, out.last?.key == key { out[out.count - 1].commits.append(e) } else { out.append(Segment(key: key, commits: [e])) }
        }
        return out
    }

    package func run() throws -> BlameAnswer {
        let badSHA = try repository.resolveCommit(options.bad)
        let badEntry = try index.entry(badSHA)
        let badConfig = try index.config(of: badEntry).get()
        if let suite = options.suite, !badConfig.suites.contains(where: { $0.name == suite }) {
            throw EvalGuardError("no suite '\(suite)' in \(EvalConfig.path) at \(options.bad)",
                                 hint: "Suites: " + badConfig.suites.map(\.name).joined(separator: ", "))
        }
        let suiteFilter = options.suite.map { Set([$0]) }
        var (goodEntry, range, reason) = try chooseRange(bad: badEntry, config: badConfig, suites: suiteFilter)
        var segs = segments([goodEntry] + range)
        // Only a segment after the first moves the good end: the first holds the good commit itself,
        // which is not in `range`.
        if options.good == nil, let newer = try mostRecentPassing(segs, config: badConfig, suites: suiteFilter),
           newer.first.sha != segs[0].first.sha {
            goodEntry = newer.commits.last!
            range = Array(range.drop { $0.id != goodEntry.id }.dropFirst())
            segs = segments([goodEntry] + range)
            reason = "the most recent commit whose stored result passes the baseline committed at \(options.bad)"
        }
        let keys = Set(segs.compactMap(\.key))
        var answer = BlameAnswer(status: .noRegression, good: try repository.commitInfo(goodEntry.sha),
                                 bad: try repository.commitInfo(badSHA), goodReason: reason, metric: options.metric,
                                 suites: options.suite.map { [$0] } ?? badConfig.suites.map(\.name),
                                 commitsInRange: range.count, distinctKeys: keys.count, evaluations: 0)
        guard segs.count > 1, segs[0].key != segs[segs.count - 1].key else {
            answer.note = "nothing the model depends on changed between \(goodEntry.sha.prefix(7)) and \(badSHA.prefix(7))"
            return answer
        }
        let goodResult = try endResult(segs[0], label: "good")
        let badResult = try endResult(segs[segs.count - 1], label: "bad")
        let comparison = Gate.compare(baseline: Baseline(result: goodResult), current: badResult, config: badConfig)
        // Beyond the threshold is worth searching even when the ends' difference is within noise
        // (inconclusive): the user saw it; the answer then says how sure it can be.
        let beyond = comparison.suites.filter { suiteFilter?.contains($0.name) ?? true }
            .flatMap { $0.metrics.filter { $0.verdict == .regression || $0.verdict == .inconclusive } }
        let regressed = beyond.map(\.metric)
        guard let metric = options.metric.map({ regressed.contains($0) ? $0 : nil }) ?? GatedMetric.allCases.first(where: regressed.contains) else {
            let what = options.metric?.rawValue ?? "any gated metric"
            answer.note = "\(badSHA.prefix(7)) does not regress in \(what) against \(goodEntry.sha.prefix(7)) beyond the thresholds committed at \(options.bad)"
            answer.evaluations = evaluations
            return answer
        }
        if !beyond.contains(where: { $0.metric == metric && $0.verdict == .regression }) {
            answer.note = "the ends differ in \(metric.rawValue) beyond the threshold but within noise (inconclusive): treat the answer as a lead, not a verdict"
        }
        let siding = Siding(metric: metric, suites: suiteFilter)
        answer.metric = metric
        answer.goodValue = siding.aggregate(goodResult)
        answer.badValue = siding.aggregate(badResult)
        let search = try bisect(segs, siding: siding, good: goodResult, bad: badResult)
        answer.skipped = search.skipped
        answer.uncertain = search.uncertain
        answer.probes = search.probes
        let (lo, hi) = search.bisection.bounds
        if hi == lo + 1 {
            answer.status = .found
            answer.culprit = try culprit(segs[hi], before: segs[lo], siding: siding, suites: suiteFilter, good: goodResult)
        } else {
            answer.status = .ambiguous
            answer.candidates = try search.bisection.candidates.map { try repository.commitInfo(segs[$0].first.sha) }
        }
        answer.evaluations = evaluations
        return answer
    }

    /// The good end and the commits after it up to the bad end (oldest first), and why that end.
    func chooseRange(bad: HistoryIndex.Entry, config: EvalConfig, suites: Set<String>?) throws
        -> (HistoryIndex.Entry, [HistoryIndex.Entry], String) {
        if let revision = options.good {
            let good = try repository.resolveCommit(revision)
            let notAncestor = EvalGuardError("--good \(revision) is not an ancestor of --bad \(options.bad)",
                                             hint: "The good commit must come before the bad one in history (see 'git log --first-parent').")
            guard good != bad.sha else {
                throw EvalGuardError("--good \(revision) and --bad \(options.bad) are the same commit (\(good.prefix(7))): there is no range to search",
                                     hint: "Give --good a commit before the regression, for example the last one whose result passed (see 'evalguard log'),\n"
                                         + "or leave --good out to start from the commit that last changed \(Baseline.path).")
            }
            // Usually the good commit is on the first-parent line: walking to it proves it an
            // ancestor. Otherwise ask for the merge-base (costly over long histories), and let a
            // revwalk hide the good commit's ancestors.
            var range = try index.firstParentChain(from: bad.sha, stop: good)
            if let last = range.last, index.isShallowBoundary(last) { throw historyCut(at: last) }
            if range.last?.firstParent != good {
                guard try repository.mergeBase(good, bad.sha) == good else { throw notAncestor }
                range = try repository.commits(from: bad.sha, hiding: good, firstParent: true).map(index.entry)
            }
            return (try index.entry(good), range.reversed(), "given with --good")
        }
        guard bad.baselineBlob != nil else {
            throw EvalGuardError("no baseline committed at \(options.bad): nothing says which results are good",
                                 hint: "Name a commit known to be good: evalguard blame --good <rev>")
        }
        let walk = try index.firstParentChain(from: bad.sha, until: { (try? self.index.changesBaseline($0)) ?? true })
        let changed = walk.last!
        if index.isShallowBoundary(changed) { throw historyCut(at: changed) }
        guard changed.sha != bad.sha else {
            throw EvalGuardError("\(options.bad) itself changed \(Baseline.path), so there is no range to search by default",
                                 hint: "Name a commit known to be good: evalguard blame --good <rev>")
        }
        return (changed, walk.dropLast().reversed(), "the commit that last changed \(Baseline.path)")
    }

    /// The search would have to go below a shallow clone's boundary, where the commits are not there.
    func historyCut(at entry: HistoryIndex.Entry) -> EvalGuardError {
        EvalGuardError("history is cut at \(entry.sha.prefix(7)): this is a shallow clone, and the range to search goes beyond the commits it holds",
                       hint: "Fetch more history, then run blame again:\n  git fetch --deepen=100   (or all of it: git fetch --unshallow)\n"
                           + "or name a good commit inside this clone: evalguard blame --good <rev>")
    }

    /// The newest segment before the bad one whose stored result passes the gate against the
    /// baseline committed at the bad end, found without decoding every stored result: gallop back
    /// over the stored segments (1, 2, 4, … from the bad end), then halve between the last
    /// failing and the first passing one. That is the most recent passing one under the
    /// assumption bisection itself makes (once bad, bad until fixed); nil when none passes.
    func mostRecentPassing(_ segs: [Segment], config: EvalConfig, suites: Set<String>?) throws -> Segment? {
        guard let baseline = try CommittedBaseline.find(in: repository, commit: try repository.resolveCommit(options.bad),
                                                        revision: options.bad)?.baseline else { return nil }
        let candidates = segs.dropLast().enumerated().filter { isFree($0.element) }.map(\.offset).reversed().map { $0 }
        guard !candidates.isEmpty else { return nil }
        func passes(_ i: Int) -> Bool {
            guard let result = storedResult(segs[candidates[i]]) else { return false }
            let comparison = Gate.compare(baseline: baseline, current: result, config: config)
            return !comparison.suites.contains { s in
                (suites?.contains(s.name) ?? true) && s.metrics.contains { $0.verdict == .regression && (options.metric ?? $0.metric) == $0.metric }
            }
        }
        var failing = -1, probe = 0, step = 1
        while !passes(probe) {
            failing = probe
            guard probe < candidates.count - 1 else { return nil }
            probe = min(probe + step, candidates.count - 1)
            step *= 2
        }
        var passing = probe
        while passing - failing > 1 {
            let mid = (failing + passing) / 2
            if passes(mid) { passing = mid } else { failing = mid }
        }
        return segs[candidates[passing]]
    }

    func isFree(_ segment: Segment) -> Bool {
        guard let key = segment.key else { return false }
        return results[key] != nil || stored.source(key: key, commits: segment.commits) != nil
    }

    /// A stored result of the segment, decoded once and kept by key.
    func storedResult(_ segment: Segment) -> RunResult? {
        guard let key = segment.key else { return nil }
        if let known = results[key] { return known }
        guard let via = stored.source(key: key, commits: segment.commits),
              case .success(let config) = index.config(of: segment.first),
              let result = stored.load(key: key, commit: via, repeats: config.verdict.repeats) else { return nil }
        results[key] = result
        return result
    }

    /// An end of the range must be evaluated for the search to mean anything: when it cannot be
    /// (its model crashes, its configuration is broken), blame stops with exit 3, naming the end.
    func endResult(_ segment: Segment, label: String) throws -> RunResult {
        if let result = storedResult(segment) { return result }
        let commit = label == "good" ? segment.commits.last! : segment.first
        progress("evaluating the \(label) end \(commit.sha.prefix(7))")
        do {
            return try evaluate(commit.sha, key: segment.key, fresh: false)
        } catch let error as EvalGuardError where error.exitCode != .interrupted {
            throw EvalGuardError.evaluation("the \(label) end \(commit.sha.prefix(7)) cannot be evaluated: "
                                            + (error.location.map { $0 + ": " } ?? "") + error.message, hint: error.hint)
        }
    }

    func evaluate(_ sha: String, key: String?, fresh: Bool) throws -> RunResult {
        let evaluation = try evaluator.evaluate(.commit(sha), fresh: fresh)
        // An evaluation is one that asked a model: answers all taken from stored results cost nothing.
        if !evaluation.reusedAnswers { evaluations += 1 }
        if let key { results[key] = evaluation.result }
        return evaluation.result
    }
}
