import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardSupport

/// Anthropic's usage priced exactly: `cache_read_input_tokens` at `cached_input_per_million` and
/// `cache_creation_input_tokens` at `cache_write_per_million`, both on top of `input_tokens`
/// (OpenAI counts its cached tokens inside `prompt_tokens`), each shape against a
/// hand-computed decimal; a missing rate prices at the input rate and is named.
@Suite struct AnthropicPricingTests {
    static let sonnet = PriceTable.Price(
        inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: Decimal(string: "0.3")!,
        cacheWritePerMillion: Decimal(string: "3.75")!)
    static let haiku = PriceTable.Price(
        inputPerMillion: Decimal(string: "0.8")!, outputPerMillion: 4,
        cachedInputPerMillion: Decimal(string: "0.08")!, cacheWritePerMillion: 1)
    static let plain = PriceTable.Price(inputPerMillion: 3, outputPerMillion: 15)

    func tokens(_ input: Double, read: Double = 0, write: Double = 0, _ output: Double) -> PriceTable.BilledTokens {
        .anthropic(input: input, cacheRead: read, cacheWrite: write, output: output)
    }

    @Test func everyUsageShapeCostsTheHandComputedDecimal() {
        // 1234 × 3 + 567 × 15 = 3702 + 8505 = 12207 per million.
        #expect(Self.sonnet.cost(tokens(1234, 567)) == 0.012207)
        // Reads only: 100 × 3 + 5000 × 0.3 + 200 × 15 = 300 + 1500 + 3000 = 4800.
        #expect(Self.sonnet.cost(tokens(100, read: 5000, 200)) == 0.0048)
        // Writes only: 100 × 3 + 2000 × 3.75 + 200 × 15 = 300 + 7500 + 3000 = 10800.
        #expect(Self.sonnet.cost(tokens(100, write: 2000, 200)) == 0.0108)
        // Both: 1200 × 3 + 5000 × 0.3 + 800 × 3.75 + 300 × 15 = 3600 + 1500 + 3000 + 4500 = 12600.
        #expect(Self.sonnet.cost(tokens(1200, read: 5000, write: 800, 300)) == 0.0126)
        // Fractional rates: 1234 × 0.8 + 4321 × 0.08 + 999 × 1 + 77 × 4 = 987.2 + 345.68 + 999 + 308 = 2639.88.
        #expect(Self.haiku.cost(tokens(1234, read: 4321, write: 999, 77)) == 0.00263988)
        // Everything from the cache, nothing new: 0 × 3 + 3 × 0.3 + 1 × 15 = 15.9.
        #expect(Self.sonnet.cost(tokens(0, read: 3, 1)) == 0.0000159)
        #expect(Self.sonnet.cost(tokens(0, 0)) == 0)
        // Counts no server means give no cost.
        #expect(Self.sonnet.cost(tokens(-1, 1)) == nil)
        #expect(Self.sonnet.cost(tokens(1, read: 0.5, 1)) == nil)
        #expect(Self.sonnet.cost(tokens(1, write: .infinity, 1)) == nil)
        #expect(Self.sonnet.missingRates(tokens(1200, read: 5000, write: 800, 300)).isEmpty)
    }

    @Test func aMissingRatePricesAtTheInputRateAndIsNamed() {
        // 100 × 3 + 5000 × 3 + 200 × 15 = 18300.
        #expect(Self.plain.cost(tokens(100, read: 5000, 200)) == 0.0183)
        #expect(Self.plain.missingRates(tokens(100, read: 5000, 200)) == ["cached_input_per_million"])
        // 100 × 3 + 2000 × 3 + 200 × 15 = 9300.
        #expect(Self.plain.cost(tokens(100, write: 2000, 200)) == 0.0093)
        #expect(Self.plain.missingRates(tokens(100, write: 2000, 200)) == ["cache_write_per_million"])
        #expect(
            Self.plain.missingRates(tokens(100, read: 1, write: 1, 200)) == [
                "cached_input_per_million", "cache_write_per_million",
            ])
        #expect(Self.plain.lacksCachedRate(tokens(100, write: 1, 200)))
        #expect(!Self.plain.lacksCachedRate(tokens(100, 200)))
        let readOnly = PriceTable.Price(
            inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: Decimal(string: "0.3")!)
        #expect(readOnly.missingRates(tokens(1, read: 1, write: 1, 1)) == ["cache_write_per_million"])
    }

    @Test func storedUsageIsReadByItsOwnNamesAndSummedOverRuns() {
        let usage: [String: Double] = [
            "input_tokens": 10, "output_tokens": 4, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 7,
        ]
        let read = PriceTable.BilledTokens(usage: usage)
        #expect(read == tokens(10, read: 100, write: 7, 4))
        #expect(read?.summed(over: 2) == tokens(20, read: 200, write: 14, 8))
        #expect(PriceTable.BilledTokens(usage: ["input_tokens": 10, "output_tokens": 4]) == tokens(10, 4))
        #expect(PriceTable.BilledTokens(usage: ["input_tokens": 10]) == nil)
        // A report's token count takes in the cached figures Anthropic counts apart.
        #expect(PriceTable.BilledTokens.total(usage: usage) == 121)
        #expect(
            PriceTable.BilledTokens.total(usage: ["prompt_tokens": 3, "completion_tokens": 2, "cached_tokens": 1]) == 5)
        #expect(PriceTable.BilledTokens.total(usage: ["total_tokens": 9, "prompt_tokens": 3]) == 9)
        #expect(PriceTable.BilledTokens.total(usage: ["output_tokens": 4]) == nil)
        // OpenAI's names keep OpenAI's semantics.
        #expect(
            PriceTable.BilledTokens(usage: ["prompt_tokens": 3, "completion_tokens": 2])
                == .openAICompatible(prompt: 3, cached: 0, completion: 2))
    }
}
