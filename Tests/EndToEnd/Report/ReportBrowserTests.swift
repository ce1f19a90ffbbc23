import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardReport
@testable import EvalGuardSupport

let installedChromium: String? = ["/usr/bin/chromium", "/usr/local/bin/chromium"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// The report in a real browser: headless Chromium loads the page from file:// through the
/// DevTools protocol (Fixtures/chromium_page.py) with its console and log captured. Skipped,
/// saying so, only where Chromium is not installed (CI installs it: apt-get install chromium).
@Suite(
    .enabled(
        if: installedChromium != nil,
        "chromium is not installed (apt-get install chromium): the page is not loaded in a browser"))
struct ReportBrowserTests {
    static let driver = TestPaths.fixtures + "/chromium_page.py"

    /// What the browser saw of `page`.
    static func load(_ page: String, screenshot: String? = nil) throws -> [String: JSONValue] {
        let result = try Shell.run(["python3", driver, page] + (screenshot.map { ["--screenshot", $0] } ?? []))
        guard result.status == 0, let doc = (try? JSONParser.parse(result.stdout))?.objectValue else {
            throw TestFailure("chromium_page.py failed (exit \(result.status)): \(result.stderr)")
        }
        return doc
    }

    @Test func thePageLoadsWithoutErrorsDrawsItsChartsAndRunsNoInjectedScript() throws {
        let repo = try ReportFixture.make()
        #expect(repo.evalguard("report", "-o", "page.html").status == 1)
        let shot = repo.path("page.png")
        let seen = try Self.load(repo.path("page.html"), screenshot: shot)
        #expect(seen["console"] == .array([]), "no console message at all: \(seen["console"]!)")
        #expect(seen["exceptions"] == .array([]))
        #expect(seen["log"] == .array([]), "no CSP violation or other browser error: \(seen["log"]!)")
        #expect(seen["title"] == .string("evalguard: ✗ REGRESSION"), "no payload retitled the page")
        #expect(seen["injected"] == .bool(false))
        #expect(seen["scripts"] == .number(0) && seen["images"] == .number(0) && seen["handlers"] == .number(0))
        #expect(seen["sections"] == .array([.string("table"), .string("history"), .string("flipped")]))
        #expect(seen["flips"] == .number(11))
        // Filtering by direction and suite, with no script of the page's own.
        #expect(
            seen["filtered"]
                == .object([
                    "fs-all": .number(11), "fs-0": .number(1), "fs-1": .number(10), "fd-all": .number(11),
                    "fd-broke": .number(10), "fd-fixed": .number(1),
                ]))
        let svgs = try #require(seen["svgs"]?.arrayValue)
        #expect(svgs.count == 6)
        for size in svgs {
            let wh = (size.arrayValue ?? []).compactMap { $0.numberValue }
            #expect(wh.count == 2 && wh[0] > 100 && wh[1] > 50, "a chart laid out at \(wh)")
        }
        let png = try #require(FileManager.default.contents(atPath: shot))
        #expect(png.count > 10_000)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
    }

    @Test func thePolicyBlocksAScriptThatEscapingWouldHaveStopped() throws {
        // Defence in depth: were a payload ever placed unescaped, the policy still stops it.
        let page = HTMLPage(
            title: "policy",
            body:
                "<p id=\"table\">x</p><script>window.evalguardInjected=1;console.log('\(ReportFixture.marker)')</script>"
                + "<img src=\"https://example.com/x.png\">"
        ).render()
        let path = NSTemporaryDirectory() + "evalguard-policy-\(UUID().uuidString).html"
        try page.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let seen = try Self.load(path)
        #expect(seen["injected"] == .bool(false))
        #expect(seen["console"] == .array([]))
        let log = try #require(seen["log"]?.arrayValue).compactMap { $0.objectValue?["text"]?.stringValue }
        #expect(
            log.contains { $0.contains("Content Security Policy") }, "the browser reports the blocked script: \(log)")
    }

    @Test func theBlamePageLoadsWithoutErrors() throws {
        let counter = NSTemporaryDirectory() + "report-browser-\(UUID().uuidString)"
        let repo = try SyntheticHistory.make([.tweak, .tweak, .plant(["q3", "q7"]), .tweak], counter: counter)
        #expect(repo.evalguard("blame", "--html", "blame.html").status == 0)
        let seen = try Self.load(repo.path("blame.html"))
        #expect(seen["console"] == .array([]) && seen["exceptions"] == .array([]) && seen["log"] == .array([]))
        #expect(seen["sections"] == .array([.string("flipped"), .string("range"), .string("probes")]))
    }
}
