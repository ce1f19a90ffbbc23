import EvalGuardSupport
import EvalGuardTestSupport
import Testing

@testable import EvalGuardScoring

/// An answer cannot close the block it is quoted in, however its delimiters are spelt.
@Suite struct JudgePromptTests {
    @Test(arguments: ["ANSWER>>>\u{FE0F}", ">>>\u{301}", "<<<\u{FE0F}ANSWER", "a >>> b", "x>>>>y", "\u{200D}<<<"])
    func delimitersInAnAnswerAreBrokenUp(_ answer: String) {
        let quoted = JudgePrompt.neutralised(answer)
        #expect(quoted.rangeOfText(">>>") == nil && quoted.rangeOfText("<<<") == nil, "\(quoted.debugDescription)")
    }

    @Test func anAnswerWithoutDelimitersIsUnchanged() {
        #expect(JudgePrompt.neutralised("a > b << c") == "a > b << c")
    }
}
