/// One commit the bisection probed, as it saw it: the side it took, the votes, and which cases
/// cast them, so a reader can check why the search went the way it did (`blame --html`).
public struct ProbeRecord: Sendable {
    public var commit: CommitInfo
    /// Where the probe landed: good, bad, uncertain, or skipped (could not be evaluated).
    public var state: Bisection.State
    public var tally: Tally
    /// Every case vote of every evaluation of the probe (retries add theirs).
    public var votes: [CaseVote]
    /// Model runs this probe cost: 0 when a stored result decided it.
    public var evaluations: Int
    /// Why a skipped probe could not be evaluated.
    public var reason: String?
}

/// A case whose outcome at a probe sided with one end of the range.
public struct CaseVote: Sendable, Equatable {
    public var suite: String
    public var id: String
    public var side: Side
}

extension Siding {
    /// The cases that side with either end, one vote each (see `nearer`); `tally` counts them.
    public func votes(probe: RunResult, good: RunResult, bad: RunResult) -> [CaseVote] {
        var out: [CaseVote] = []
        for suite in good.suites where suites?.contains(suite.name) ?? true {
            guard let atBad = bad.suite(suite.name), let atProbe = probe.suite(suite.name) else { continue }
            let b = Dictionary(atBad.cases.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            let p = Dictionary(atProbe.cases.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            for before in suite.cases {
                guard let after = b[before.id], let now = p[before.id], let side = nearer(now, before, after) else { continue }
                out.append(CaseVote(suite: suite.name, id: before.id, side: side))
            }
        }
        return out
    }
}
