import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardReport
@testable import EvalGuardSupport

/// The pieces of the HTML report: escaping, the policy's hash, the word diff, the charts.
@Suite struct ReportHTMLTests {
    @Test func escapeCoversEveryCharacterThatEndsTextOrAnAttribute() {
        #expect(
            HTML.escape("<a href=\"x\" title='y'>&amp;</a>")
                == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;")
        #expect(HTML.escape("tab\tnew\nline\u{0}bell\u{7}") == "tab\tnew\nline\u{FFFD}bell\u{FFFD}")
        #expect(HTML.escape("ünïcødé ✓") == "ünïcødé ✓")
        #expect(HTML.element("code", [("title", "a\"b")], text: "<x>") == "<code title=\"a&quot;b\">&lt;x&gt;</code>")
    }

    @Test func longTextIsFoldedShortTextIsNot() {
        #expect(HTML.folded("short") == "<pre>short</pre>")
        let long = String(repeating: "word ", count: 50)
        #expect(HTML.folded(long).hasPrefix("<details><summary>word word"))
        #expect(HTML.folded(long).contains("(250 characters)"))
    }

    @Test func sha256MatchesTheStandardVectors() {
        func hex(_ s: String) -> String { SHA256.digest(Array(s.utf8)).map { String(format: "%02x", $0) }.joined() }
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            hex(String(repeating: "a", count: 1000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func thePageAllowsOnlyItsOwnStyleByHashAndNoScript() throws {
        let page = HTMLPage(title: "t <b>", body: "<p>x</p>", extraStyle: ".x{color:red}\n")
        let html = page.render()
        let open = try #require(html.range(of: "<style>"))
        let close = try #require(html.range(of: "</style>"))
        let style = String(html[open.upperBound..<close.lowerBound])
        #expect(style == page.style)
        let hash = Data(SHA256.digest(Array(style.utf8))).base64EncodedString()
        #expect(
            page.contentSecurityPolicy
                == "default-src 'none'; script-src 'none'; style-src 'sha256-\(hash)'; img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
        )
        #expect(html.contains("<title>t &lt;b&gt;</title>"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
    }

    /// Both texts come back from the pieces: common and removed give the first, common and added the second.
    static func sides(_ pieces: [WordDiff.Piece]) -> (String, String) {
        pieces.reduce(into: ("", "")) { acc, p in
            switch p {
            case .same(let s):
                acc.0 += s
                acc.1 += s
            case .removed(let s): acc.0 += s
            case .added(let s): acc.1 += s
            }
        }
    }

    @Test func wordDiffMarksTheWordsThatChanged() {
        #expect(
            WordDiff.pieces("the quick brown fox", "the quick red fox") == [
                .same("the quick "), .removed("brown"), .added("red"), .same(" fox"),
            ])
        #expect(
            WordDiff.pieces("a b c", "x y z") == [.removed("a b c"), .added("x y z")], "one replacement, not three")
        #expect(WordDiff.pieces("same", "same") == [.same("same")])
        #expect(WordDiff.pieces("", "new words") == [.added("new words")])
        #expect(
            WordDiff.html("say <b>hi</b>", "say <i>hi</i>")
                == "say <del>&lt;b&gt;hi&lt;/b&gt;</del><ins>&lt;i&gt;hi&lt;/i&gt;</ins>")
        for (a, b) in [
            ("one two three four", "one three five four"), ("the cat sat on the mat", "a cat sat on a hat"),
            ("x  y\tz", "x y z w"), ("refund please", "cancel_order"), ("a b", "b a"),
        ] {
            let (x, y) = Self.sides(WordDiff.pieces(a, b))
            #expect(x == a && y == b, "\(a) → \(b)")
        }
    }

    @Test func wordDiffOfHugeTextsKeepsTheCommonEndsAndReplacesTheMiddle() {
        let a = "start " + (0..<1500).map { "a\($0)" }.joined(separator: " ") + " end"
        let b = "start " + (0..<1500).map { "b\($0)" }.joined(separator: " ") + " end"
        let pieces = WordDiff.pieces(a, b)
        #expect(pieces.first == .same("start "))
        #expect(pieces.last == .same(" end"))
        #expect(pieces.count == 4)
    }

    @Test func chartDrawsAxesPointsWithTitlesBandMarksAndTheCurrentCommit() {
        var chart = SVGChart(
            title: "main: accuracy",
            points: [
                .init(index: 0, value: 0.9, low: 0.8, high: 0.95, title: "aaaaaaa <first>"),
                .init(index: 1, value: 0.85, low: 0.75, high: 0.92, title: "bbbbbbb"),
                .init(index: 3, value: 0.7, low: 0.6, high: 0.8, title: "ddddddd"),
            ], count: 4, clamp: 0...1)
        chart.current = 3
        chart.marks = [(1, "baseline changed at bbbbbbb")]
        chart.xLabels = [(0, "aaaaaaa"), (3, "ddddddd")]
        let svg = chart.render()
        #expect(svg.hasPrefix("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 220\""))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 3)
        #expect(svg.components(separatedBy: "<circle class=\"now\"").count - 1 == 1)
        #expect(svg.contains("<title>aaaaaaa &lt;first&gt;</title>"))
        #expect(svg.contains("<title>baseline changed at bbbbbbb</title>"))
        #expect(
            svg.components(separatedBy: "<polygon class=\"band\"").count - 1 == 2,
            "the band breaks where a commit has no figure")
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1, "a lone point draws no line")
        #expect(svg.contains(">current</text>"))
        #expect(svg.contains(">0.6</text>") && svg.contains(">1</text>"), "round ticks, clamped at 1")
        #expect(
            svg.contains("text-anchor=\"start\">aaaaaaa</text>") && svg.contains("text-anchor=\"end\">ddddddd</text>"))
    }

    @Test func aLongHistorySharesHoverMarkersButKeepsEveryCommitInTheirTitles() {
        let points = (0..<1000).map { SVGChart.Point(index: $0, value: Double($0 % 7), title: "commit-\($0)") }
        var chart = SVGChart(title: "t", points: points, count: 1000)
        chart.current = 999
        let svg = chart.render()
        let circles = svg.components(separatedBy: "<circle").count - 1
        #expect(circles <= SVGChart.maxMarkers + 1 && circles > SVGChart.maxMarkers / 2)
        #expect(svg.components(separatedBy: "<circle class=\"now\"").count - 1 == 1)
        for i in [0, 1, 2, 3, 500, 998, 999] {
            #expect(svg.contains("commit-\(i)<") || svg.contains("commit-\(i)\n"), "commit-\(i)")
        }
        #expect(svg.contains("<title>commit-999</title>"), "the current commit has a marker of its own")
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1)
    }

    @Test func niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(SVGChart.niceStep(0.03) == 0.05)
        #expect(SVGChart.niceStep(0.011) == 0.02)
        #expect(SVGChart.niceStep(7) == 10)
        #expect(SVGChart.niceStep(1) == 1)
        #expect(SVGChart.niceStep(0) == 1)
    }
}
