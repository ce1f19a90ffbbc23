import EvalGuardConfig
import EvalGuardEvaluation
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

extension Blame {
    struct Search {
        /// The segments of what stored results left open, the first good and the last bad.
        var segments: [Segment]
        var bisection: Bisection
        /// Distinct evaluation keys in the range, when stored results left all of it open (so
        /// every key was read); nil otherwise.
        var distinctKeys: Int?
        var skipped: [Probe] = []
        var uncertain: [Probe] = []
        var probes: [ProbeRecord] = []
    }

    /// Narrows the range with stored results (`narrow`), then bisects the segments of what is left
    /// between the ends: free probes first, then evaluations at the middle.
    func bisect(_ span: KeyedRange, siding: Siding, good: RunResult, bad: RunResult) throws -> Search {
        let (lo, hi, narrowed) = try narrow(span, siding: siding, good: good, bad: bad)
        // `lo` sides with the good end and `hi` with the bad one, so their keys differ (a key's
        // result is read once and kept): there are at least two segments.
        let segs = try span.segments(lo, hi)
        let distinct = lo == 0 && hi == span.last ? Set(segs.compactMap(\.key)).count : nil
        var search = Search(
            segments: segs, bisection: Bisection(segments: segs.count), distinctKeys: distinct, probes: narrowed)
        // Which segments have a result by the notes listing or the key index, asked once per segment.
        let listed = segs.map { storedSource($0) != nil }
        func isFree(_ s: Int) -> Bool { listed[s] || segs[s].key.map { results[$0] != nil } ?? false }
        while let s = search.bisection.next(isFree: isFree) {
            let segment = segs[s]
            let info = try repository.commitInfo(segment.first.sha)
            guard let key = segment.key else {
                let reason: String
                if case .failure(let error) = index.config(of: segment.first) {
                    reason = error.message
                } else if let suite = options.suite {
                    reason = "no suite '\(suite)' in \(EvalConfig.path)"
                } else {
                    reason = "no evaluation key"
                }
                log("skipping \(info.shortSHA): \(reason)")
                search.skipped.append(Probe(commit: info, reason: reason))
                search.probes.append(
                    ProbeRecord(
                        commit: info, state: .skipped, tally: Tally(), votes: [], evaluations: 0, reason: reason))
                search.bisection.record(s, .skipped)
                continue
            }
            let evaluationsBefore = evaluations
            let result: RunResult
            if let stored = storedResult(segment) {
                result = stored
            } else {
                progress("evaluating \(info.shortSHA) \(info.subject)")
                do {
                    result = try probe(segment.first.sha, key: key, fresh: false, siding: siding, good: good, bad: bad)
                } catch let error as EvalGuardError where error.exitCode != .interrupted {
                    log("skipping \(info.shortSHA): \(error.message)")
                    search.skipped.append(Probe(commit: info, reason: error.message))
                    search.probes.append(
                        ProbeRecord(
                            commit: info, state: .skipped, tally: Tally(), votes: [],
                            evaluations: evaluations - evaluationsBefore, reason: error.message))
                    search.bisection.record(s, .skipped)
                    continue
                }
            }
            var tally = siding.tally(probe: result, good: good, bad: bad)
            var votes = siding.votes(probe: result, good: good, bad: bad)
            var retried = 0
            while tally.side == .withinNoise && retried < options.retries {
                retried += 1
                progress(
                    "\(info.shortSHA) is within noise (\(tally.bad) case(s) side with the bad end, \(tally.good) with the good end): evaluating it again"
                )
                do {
                    let again = try probe(
                        segment.first.sha, key: key, fresh: true, siding: siding, good: good, bad: bad)
                    tally = tally + siding.tally(probe: again, good: good, bad: bad)
                    votes += siding.votes(probe: again, good: good, bad: bad)
                } catch let error as EvalGuardError where error.exitCode != .interrupted {
                    log("retry of \(info.shortSHA) failed: \(error.message)")
                    break
                }
            }
            switch tally.side {
            case .good: search.bisection.record(s, .good)
            case .bad: search.bisection.record(s, .bad)
            case .withinNoise:
                let reason =
                    "within noise after \(retried) retr\(retried == 1 ? "y" : "ies"): \(tally.bad) case vote(s) for the bad end, \(tally.good) for the good end"
                log("\(info.shortSHA) stays uncertain: \(reason)")
                search.uncertain.append(Probe(commit: info, reason: reason))
                search.bisection.record(s, .uncertain)
            }
            search.probes.append(
                ProbeRecord(
                    commit: info, state: search.bisection.states[s], tally: tally, votes: votes,
                    evaluations: evaluations - evaluationsBefore))
            if tally.side != .withinNoise {
                progress(
                    "\(info.shortSHA) is \(tally.side.rawValue) (\(tally.bad) case vote(s) for bad, \(tally.good) for good)"
                )
            }
        }
        return search
    }

    /// Probes the commits with a result of their own (a note or a result file: looked for, not read) between
    /// the ends, nearest the middle first, reading the key of each probed commit only, to check
    /// that the stored result is one evaluated with it; returns the last good and first bad
    /// positions that leaves, and the probes. A commit whose result cannot be read or is within
    /// noise is left to the bisection of segments, which retries it. With everything stored this
    /// leaves two neighbours, with nothing stored the whole range.
    func narrow(_ span: KeyedRange, siding: Siding, good: RunResult, bad: RunResult) throws -> (Int, Int, [ProbeRecord])
    {
        var lo = 0
        var hi = span.last
        var probes: [ProbeRecord] = []
        guard !stored.noOwnResults else { return (lo, hi, probes) }
        var tried: Set<Int> = []
        while let c = span.nearestWithOwnResult(
            between: lo, and: hi, middle: Double(lo + hi) / 2, excluding: tried, in: stored)
        {
            tried.insert(c)
            guard let key = try span.key(c), let result = storedResult(Segment(key: key, commits: [try span.entry(c)]))
            else { continue }
            let tally = siding.tally(probe: result, good: good, bad: bad)
            guard tally.side != .withinNoise else { continue }
            if tally.side == .good { lo = c } else { hi = c }
            let info = try repository.commitInfo(span.ids[c].hex)
            probes.append(
                ProbeRecord(
                    commit: info, state: tally.side == .good ? .good : .bad, tally: tally,
                    votes: siding.votes(probe: result, good: good, bad: bad), evaluations: 0))
            progress(
                "\(info.shortSHA) is \(tally.side.rawValue) by its stored result (\(tally.bad) case vote(s) for bad, \(tally.good) for good)"
            )
        }
        return (lo, hi, probes)
    }

    /// The first commit of the first bad segment, with what it changed and broke.
    func culprit(_ segment: Segment, before: Segment, siding: Siding, suites: Set<String>?, good: RunResult) throws
        -> Culprit
    {
        let commit = segment.first
        // Both sides were probed (a stored result, or a partial one under --suite); one that is no
        // longer at hand (its stored result went away during the search) stops blame (exit 3).
        func result(_ s: Segment) throws -> RunResult {
            guard let found = storedResult(s) ?? s.key.flatMap({ partials[$0] })?.completed(with: good) else {
                throw EvalGuardError.evaluation(
                    "the result of \(s.first.sha.prefix(7)) is no longer at hand", hint: "Run evalguard blame again.")
            }
            return found
        }
        let after = try result(segment)
        let was = try result(before)
        let whole = try? index.config(of: commit).get()
        // Under --suite, the files S's inputs hold.
        let config = options.suite.flatMap { whole?.scoped(to: $0) } ?? whole
        let flips = CaseFlips.between(
            before: was, after: after, suites: suites, repository: repository,
            config: config, at: commit.sha)
        let parents = try repository.parents(of: commit.sha)
        // A segment holds at least one commit (`KeyedRange.segments`), so `last` is there.
        return Culprit(
            commit: try repository.commitInfo(commit.sha), mergedParent: parents.count > 1 ? parents[1] : nil,
            before: before.commits.last!.sha, beforeValue: siding.aggregate(was), afterValue: siding.aggregate(after),
            broke: flips.broke, fixed: flips.fixed,
            changedInputs: try CulpritDetails.changedInputs(
                repository, commit: commit.sha, parent: commit.firstParent, config: config))
    }
}
