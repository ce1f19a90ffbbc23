import EvalGuardSupport

/// Binary search over the segments of a range: runs of consecutive commits with the same
/// evaluation key, which share one result and so one verdict. Segment 0 holds the good end and
/// the last segment the bad end; the culprit is the first commit of the first bad segment.
///
/// Pure bookkeeping, so the search order can be tested without git: `next` names the segment to
/// probe, `record` takes its verdict. A segment whose result is already at hand ("free") is
/// probed before any that would cost an evaluation, nearest the middle first: free probes only
/// ever shrink the interval, so they never add to what the search costs.
package struct Bisection: Sendable {
    package enum State: String, Sendable {
        case unknown, good, bad
        /// Could not be evaluated (as `git bisect skip`).
        case skipped
        /// Evaluated, but its cases did not side clearly with either end, even after retries.
        case uncertain
    }

    package private(set) var states: [State]

    package init(segments: Int) {
        precondition(segments >= 2, "a range has a good and a bad end")
        states = Array(repeating: .unknown, count: segments)
        states[0] = .good
        states[segments - 1] = .bad
    }

    /// The last segment known good and the first known bad after it. Cannot fail: `init` makes
    /// the ends good and bad, and `record` is given only segments `next` returned, between them.
    package var bounds: (good: Int, bad: Int) {
        let good = states.lastIndex(of: .good)!
        let bad = states[(good + 1)...].firstIndex(of: .bad)!
        return (good, bad)
    }

    /// The segment to probe next, nil when nothing between the bounds can still be probed.
    /// `isFree` says whether a segment's result is at hand.
    package func next(isFree: (Int) -> Bool) -> Int? {
        let (lo, hi) = bounds
        let open = (lo + 1..<hi).filter { states[$0] == .unknown }
        guard !open.isEmpty else { return nil }
        let middle = Double(lo + hi) / 2
        func byDistance(_ a: Int, _ b: Int) -> Bool {
            let da = abs(Double(a) - middle)
            let db = abs(Double(b) - middle)
            return da != db ? da < db : a < b
        }
        return open.filter(isFree).min(by: byDistance) ?? open.min(by: byDistance)
    }

    package mutating func record(_ segment: Int, _ state: State) {
        states[segment] = state
    }

    /// Where the search ended: the segments that may hold the culprit, oldest first. One segment
    /// when the search succeeded; several when skipped or uncertain segments sit between the bounds.
    package var candidates: [Int] {
        let (lo, hi) = bounds
        return Array(lo + 1...hi)
    }
}
