import EvalGuardGit
import EvalGuardStore

/// One commit the bisection probed, as it saw it: the side it took, the votes, and which cases
/// cast them, so a reader can check why the search went the way it did (`blame --html`).
package struct ProbeRecord: Sendable {
    package var commit: CommitInfo
    /// Where the probe landed: good, bad, uncertain, or skipped (could not be evaluated).
    package var state: Bisection.State
    package var tally: Tally
    /// Every case vote of every evaluation of the probe (retries add theirs).
    package var votes: [CaseVote]
    /// Model runs this probe cost: 0 when a stored result decided it.
    package var evaluations: Int
    /// Why a skipped probe could not be evaluated.
    package var reason: String?
}

/// A case whose outcome at a probe sided with one end of the range.
package struct CaseVote: Sendable, Equatable {
    package var suite: String
    package var id: String
    package var side: Side
}

extension Siding {
    /// The cases that side with either end, one vote each (see `nearer`); `tally` counts them.
    package func votes(probe: RunResult, good: RunResult, bad: RunResult) -> [CaseVote] {
        var out: [CaseVote] = []
        for suite in good.suites where suites?.contains(suite.name) ?? true {
            guard let atBad = bad.suite(suite.name), let atProbe = probe.suite(suite.name) else { continue }
            let b = Dictionary(atBad.cases.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            let p = Dictionary(atProbe.cases.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            for before in suite.cases {
                guard let after = b[before.id], let now = p[before.id], let side = nearer(now, before, after) else {
                    continue
                }
                out.append(CaseVote(suite: suite.name, id: before.id, side: side))
            }
        }
        return out
    }
}
