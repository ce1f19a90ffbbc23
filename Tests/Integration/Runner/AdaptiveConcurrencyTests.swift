import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// AIMD on 429/503, Retry-After per request unless the limit is global, and the cost limit.
@Suite struct AdaptiveConcurrencyTests {
    @Test func windowHalvesOnRefusalOnceAndGrowsBackByOne() {
        var window = ConcurrencyWindow(maximum: 8)
        window.refused(sentAt: 10, at: 100)
        #expect(window.current == 4)
        // Refusals of requests sent before the cut say nothing new.
        window.refused(sentAt: 50, at: 110)
        #expect(window.current == 4)
        window.refused(sentAt: 120, at: 130)
        #expect(window.current == 2)
        window.refused(sentAt: 140, at: 150)
        window.refused(sentAt: 160, at: 170)
        #expect(window.current == 1, "never below one")
        // The last refusal came at 2: growth is slow from 4/5 of that (1) on.
        #expect(window.probeFrom == 1)
        for _ in 0..<(ConcurrencyWindow.probeRounds - 1) { window.succeeded(latency: 100) }
        #expect(window.current == 1, "near the window last refused, a step takes probeRounds round trips")
        window.succeeded(latency: 100)
        #expect(window.current == 2)
        for _ in 0..<10_000 { window.succeeded(latency: 100) }
        #expect(window.current == 8, "never above jobs")
        #expect(window.cuts == 4)
    }

    @Test func windowGrowsBackAtFullSpeedBelowFourFifthsOfTheWindowLastRefused() {
        var window = ConcurrencyWindow(maximum: 32)
        window.refused(sentAt: 10, at: 100)
        #expect(window.current == 16 && window.probeFrom == 25)
        var successes = 0
        while window.current < 25 {
            window.succeeded(latency: 100)
            successes += 1
        }
        // One round trip's worth of successes per step: 16 + 17 + … + 24.
        #expect(successes == (16...24).reduce(0, +))
        for _ in 0..<(25 * ConcurrencyWindow.probeRounds - 1) { window.succeeded(latency: 100) }
        #expect(window.current == 25)
        window.succeeded(latency: 100)
        #expect(window.current == 26)
    }

    /// The server accepted 200 requests in the second between two refusals, answering each in
    /// 100 ms: it sustains 20 in flight, and the second cut rests one below that, not at half.
    @Test func secondCutRestsJustBelowWhatTheServerSustained() {
        let millisecond: UInt64 = 1_000_000
        var window = ConcurrencyWindow(maximum: 32)
        window.refused(sentAt: 0, at: 1)
        #expect(window.current == 16 && window.sustained == nil, "one cut measures no rate")
        for _ in 0..<200 { window.succeeded(latency: 100 * millisecond) }
        #expect(window.current == 25)
        #expect(window.pace == 4 * millisecond, "25 requests spread over a 100 ms round trip")
        window.refused(sentAt: 1000 * millisecond, at: 1000 * millisecond + 1)
        #expect(window.sustained == 20)
        #expect(window.current == 19)
        // Below what the server sustains, growth is as after any cut; at it, a step takes plateauRounds round trips.
        for _ in 0..<19 { window.succeeded(latency: 100 * millisecond) }
        #expect(window.current == 20)
        for _ in 0..<(20 * ConcurrencyWindow.plateauRounds - 1) { window.succeeded(latency: 100 * millisecond) }
        #expect(window.current == 20)
        window.succeeded(latency: 100 * millisecond)
        #expect(window.current == 21)
    }

    /// Refusals close together (a burst the server refused) measure no rate: the window halves.
    @Test func cutsCloseTogetherMeasureNoRate() {
        var window = ConcurrencyWindow(maximum: 32)
        window.refused(sentAt: 0, at: 1)
        for _ in 0..<20 { window.succeeded(latency: 100_000_000) }
        window.refused(sentAt: 10_000_000, at: 20_000_000)
        #expect(window.sustained == nil)
        #expect(window.current == 8)
    }

    /// A server allowing 200 requests a second (bursts of 40), answering each after 100 ms:
    /// about 20 requests fit in flight, and the client may send 32 at once.
    @Test func tokenBucketLimitIsUsedWithFewRefusals() throws {
        let server = try OpenAITestServer(["--bucket-rate", "200", "--bucket-size", "40", "--delay-ms", "100"])
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "jobs": 32, "max_retries": 20, "retry_backoff_s": 0.01}
            """)
        let inputs = (0..<1000).map { "case \($0)" }
        let responses = try provider.answer(textRequests(inputs)) { _ in }
        #expect(responses.allSatisfy { $0.error == nil })
        let log = try server.requests()
        let refused = log.filter { $0["status"] == .number(429) }.count
        let accepted = log.filter { $0["status"] == .number(200) }.count
        #expect(accepted == 1000)
        // Paced, 2-3 refusals in a run, on a 2-core machine under a load of 11-13.
        #expect(Double(refused) <= 0.01 * Double(log.count), "\(refused) of \(log.count) requests refused")
        // Throughput: the tokens the bucket threw away while full are the capacity left unused.
        // accepted / (accepted + wasted) bounds the share of the limit used from below.
        let wasted = try #require(log.last?["wasted"]?.numberValue)
        #expect(
            Double(accepted) >= 0.95 * (Double(accepted) + wasted), "\(wasted) tokens unused against \(accepted) used")
        print("token bucket: \(accepted) accepted, \(refused) refused, \(wasted) tokens unused")
    }

    /// Sends `inputs` two at a time; returns the order in which the server saw them.
    func arrivals(_ inputs: [String]) throws -> [String] {
        let server = try OpenAITestServer()
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "jobs": 2}
            """)
        let responses = try provider.answer(textRequests(inputs)) { _ in }
        #expect(responses.allSatisfy { $0.error == nil })
        return try server.requests().compactMap { request -> String? in
            guard case .string(let body)? = request["body"], let value = try? JSONParser.parse(body) else { return nil }
            return value["messages"]?.arrayValue?.last?["content"]?.stringValue
        }
    }

    @Test func retryAfterHoldsOnlyTheRequestThatGotIt() throws {
        let held = "status:429:1 retry-after:1 a"
        let order = try arrivals([held] + (1...12).map { "plain \($0)" })
        #expect(order.count == 14)
        #expect(order.firstIndex(of: held)! <= 1)
        // The other slot went on with every other case during the second the refused one waited.
        #expect(order.last == held, "\(order)")
    }

    @Test func retryAfterOfASpentQuotaHoldsEverySlot() throws {
        let held = "status:429:1 retry-after:1 quota-spent a"
        let order = try arrivals([held] + (1...12).map { "plain \($0)" })
        #expect(order.count == 14)
        // Only what was already on its way went out before the retry; most cases waited for it.
        #expect(order.lastIndex(of: held)! <= 6, "\(order)")
    }

    @Test func costLimitStopsBeforeOverspending() throws {
        let server = try OpenAITestServer()
        // Each answer: 3 prompt and 3 completion tokens at $1,000 per million, $0.006.
        let provider = try openAIProvider(
            """
            {"provider": "openai", "base_url": "\(server.baseURL)", "model": "m", "messages": [{"role": "user", "content": "{{input}}"}],
             "jobs": 4}
            """, price: PriceTable.Price(inputPerMillion: 1000, outputPerMillion: 1000))
        provider.maxCostUSD = 0.05
        let inputs = (0..<40).map { "case number \($0)" }
        var thrown: EvalGuardError?
        do { _ = try provider.answer(textRequests(inputs)) { _ in } } catch let e as EvalGuardError { thrown = e }
        let error = try #require(thrown)
        #expect(error.category == .model)
        #expect(
            error.message.contains("stopped before going over the cost limit of $0.0500: spent $0.0"),
            "\(error.message)")
        let sent = try server.requests().count
        // Eight answers fit in $0.05, a ninth would not: it is never sent.
        #expect(sent == 8, "\(sent) requests sent")
        #expect(error.message.contains("spent $0.0480 on 8 of 40 requests"), "\(error.message)")
    }
}
