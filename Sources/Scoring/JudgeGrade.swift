import EvalGuardConfig
import EvalGuardSupport
import FoundationEssentials

/// A grade read from a judge's reply.
package struct JudgeGrade: Sendable, Equatable {
    /// The grade as the configuration spells it (a label), or the number's text.
    package var grade: String
    package var passed: Bool
    /// In [0, 1]: 1 or 0 for labels, the grade's place on a numeric scale.
    package var score: Double

    /// The LAST valid grade line of `reply` (`GRADE: pass`, `**Grade:** 4`, any case), or nil
    /// when it has none. The last one wins because the judge reasons first: an earlier grade
    /// line may be a quote of the answer under test, or a draft the judge went on to revise.
    package static func last(in reply: String, grades: JudgeSettings.Grades) -> JudgeGrade? {
        for line in reply.split(whereSeparator: \.isNewline).reversed() {
            guard let value = gradeValue(line), let grade = JudgeGrade(value, grades) else { continue }
            return grade
        }
        return nil
    }

    /// What a reply says before its last grade line (the judge's reasons), trimmed; nil when it
    /// says nothing else.
    package static func reasoning(in reply: String) -> String? {
        let lines = reply.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let end = lines.lastIndex { gradeValue($0) != nil } ?? lines.endIndex
        let text = lines[..<end].joined(separator: "\n").trimmingWhitespaceAndNewlines()
        return text.isEmpty ? nil : text
    }

    /// What follows `grade:` on a line that starts with it (after markdown marks), trimmed of
    /// emphasis and final punctuation.
    static func gradeValue(_ line: Substring) -> Substring? {
        let decoration: Set<Character> = ["*", "#", ">", "-", "_", "`", " ", "\t"]
        var rest = line.drop { decoration.contains($0) }
        guard rest.prefix(5).lowercased() == "grade" else { return nil }
        rest = rest.dropFirst(5).drop { decoration.contains($0) }
        guard rest.first == ":" else { return nil }
        let trim: Set<Character> = ["*", "_", "`", "\"", "'", ".", " ", "\t", "[", "]", "<", ">"]
        rest = rest.dropFirst().drop { trim.contains($0) }
        while let last = rest.last, trim.contains(last) { rest = rest.dropLast() }
        return rest.isEmpty ? nil : rest
    }

    package init?(_ value: Substring, _ grades: JudgeSettings.Grades) {
        switch grades {
        case .labels(let labels, let passing):
            let folded = value.lowercased()
            guard let label = labels.first(where: { $0.lowercased() == folded }) else { return nil }
            let passed = passing.contains { $0.lowercased() == folded }
            (grade, self.passed, score) = (label, passed, passed ? 1 : 0)
        case .scale(let lo, let hi, let passScore):
            // "4", "4/5" or "4 out of 5": the first number.
            let number = value.prefix { $0.isNumber || $0 == "." || $0 == "-" }
            guard let n = Double(number), n >= lo, n <= hi else { return nil }
            (grade, passed, score) = (JSONWriter.numberText(n), n >= passScore, (n - lo) / (hi - lo))
        }
    }

    package init(grade: String, passed: Bool, score: Double) {
        (self.grade, self.passed, self.score) = (grade, passed, score)
    }
}

/// The verdict of `samples` grades of one answer.
package struct JudgeMajority: Sendable, Equatable {
    package var passed: Bool
    package var score: Double
    /// The grade shown for the case: the most frequent one that agrees with the verdict.
    package var grade: String
    /// Share of the samples whose pass/fail agrees with the verdict: 1 when the judge agrees
    /// with itself, down to just over 1/2.
    package var agreement: Double

    /// The majority of an odd number of grades (a single grade is its own majority). For a
    /// numeric scale the score is the median grade's, which passes exactly when most grades do.
    package init(_ grades: [JudgeGrade]) {
        precondition(!grades.isEmpty, "a verdict needs a grade")
        let passes = grades.count { $0.passed }
        let passed = 2 * passes > grades.count
        self.passed = passed
        let agreeing = grades.filter { $0.passed == passed }
        agreement = Double(agreeing.count) / Double(grades.count)
        let scores = grades.map(\.score).sorted()
        score = scores[scores.count / 2]
        var counts: [String: Int] = [:]
        for g in agreeing { counts[g.grade, default: 0] += 1 }
        grade = agreeing.map(\.grade).max { counts[$0, default: 0] < counts[$1, default: 0] } ?? grades[0].grade
    }
}
