import FoundationEssentials

/// How well two raters' pass/fail verdicts on the same cases agree (a judge and a human):
/// raw agreement, and Cohen's κ, the agreement beyond what two raters with the same pass rates
/// would reach by chance.
///
/// κ = (pₒ − pₑ) / (1 − pₑ), with pₒ the share of cases where they agree and pₑ the chance
/// agreement from the margins. Its interval is κ ± z·SE with Cohen's (1960) large-sample
/// standard error SE = √(pₒ(1 − pₒ) / (n (1 − pₑ)²)), clamped to [−1, 1]: the usual report,
/// rough for small n, which is why the interval is printed beside κ.
package struct Agreement: Sendable, Equatable {
    /// Judge pass and human pass, judge fail and human fail, and the two disagreements.
    package var bothPass = 0
    package var bothFail = 0
    package var judgePassHumanFail = 0
    package var judgeFailHumanPass = 0

    package init() {}

    package mutating func add(judge: Bool, human: Bool) {
        switch (judge, human) {
        case (true, true): bothPass += 1
        case (false, false): bothFail += 1
        case (true, false): judgePassHumanFail += 1
        case (false, true): judgeFailHumanPass += 1
        }
    }

    package var n: Int { bothPass + bothFail + judgePassHumanFail + judgeFailHumanPass }
    package var humanPasses: Int { bothPass + judgeFailHumanPass }
    package var humanFails: Int { bothFail + judgePassHumanFail }

    package var accuracy: Double? { n == 0 ? nil : Double(bothPass + bothFail) / Double(n) }
    /// Of the cases a human passed, the share the judge passed too (and the same for fails).
    package var truePassRate: Double? { humanPasses == 0 ? nil : Double(bothPass) / Double(humanPasses) }
    package var trueFailRate: Double? { humanFails == 0 ? nil : Double(bothFail) / Double(humanFails) }

    /// The chance agreement pₑ from the two raters' pass rates.
    var chance: Double {
        let total = Double(n)
        let judgePass = Double(bothPass + judgePassHumanFail) / total
        let humanPass = Double(humanPasses) / total
        return judgePass * humanPass + (1 - judgePass) * (1 - humanPass)
    }

    /// Cohen's κ; nil without cases, or when chance alone agrees always (both raters gave one
    /// verdict to every case), where κ is undefined.
    package var kappa: Double? {
        guard let po = accuracy else { return nil }
        let pe = chance
        guard pe < 1 else { return nil }
        return (po - pe) / (1 - pe)
    }

    /// The interval around κ at `confidence` (two-sided).
    package func kappaInterval(confidence: Double = 0.95) -> (lower: Double, upper: Double)? {
        guard let kappa, let po = accuracy else { return nil }
        let pe = chance
        let se = (po * (1 - po) / (Double(n) * (1 - pe) * (1 - pe))).squareRoot()
        let z = Normal.quantile(1 - (1 - confidence) / 2)
        return (max(-1, kappa - z * se), min(1, kappa + z * se))
    }
}
