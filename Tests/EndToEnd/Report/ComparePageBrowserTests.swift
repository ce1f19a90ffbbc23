import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardSupport

/// `compare --html` in headless Chromium, as the report's page is checked (ReportBrowserTests):
/// the model's answers carry a script and an image with a handler, and none of it runs or loads.
@Suite(
    .serialized,
    .enabled(
        if: installedChromium != nil,
        "chromium is not installed (apt-get install chromium): the page is not loaded in a browser"))
struct ComparePageBrowserTests {
    @Test func theComparePageLoadsWithoutErrorsDrawsItsChartsAndRunsNoAnswer() throws {
        let p = try CompareProject()
        let run = p.repo.evalguard("compare", "--html", "compare.html")
        #expect(run.status == 0, "\(run.stderr)")
        let page = try #require(p.repo.read("compare.html"))
        #expect(
            page.contains("&lt;script&gt;window.evalguardInjected=1&lt;/script&gt;"), "the answer is shown, escaped")
        let seen = try ReportBrowserTests.load(p.repo.path("compare.html"))
        #expect(seen["console"] == .array([]), "no console message at all: \(seen["console"]!)")
        #expect(seen["exceptions"] == .array([]))
        #expect(seen["log"] == .array([]), "no CSP violation or other browser error: \(seen["log"]!)")
        #expect(seen["title"] == .string("evalguard compare"))
        #expect(seen["injected"] == .bool(false))
        #expect(seen["scripts"] == .number(0) && seen["images"] == .number(0) && seen["handlers"] == .number(0))
        // The scatter of accuracy against cost and the p95 chart, a point per configuration.
        let svgs = try #require(seen["svgs"]?.arrayValue)
        #expect(svgs.count == 2)
        for size in svgs {
            let wh = (size.arrayValue ?? []).compactMap { $0.numberValue }
            #expect(wh.count == 2 && wh[0] > 100 && wh[1] > 50, "a chart laid out at \(wh)")
        }
        #expect(seen["svgChildren"] == .array([.number(3), .number(3)]))
    }
}
