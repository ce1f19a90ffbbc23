import EvalGuardSupport
import FoundationEssentials

/// `.evals/prices.json`: what a model costs, per million tokens, committed with the code so a
/// price change is a reviewed commit and an old result can be recomputed.
///
///     {"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60,
///                      "cached_input_per_million": 0.075}}
package struct PriceTable: Sendable {
    package struct Price: Sendable, Equatable {
        /// Decimal, so that 1,234 tokens at $0.15 per million is exactly $0.0001851.
        package var inputPerMillion: Decimal
        package var outputPerMillion: Decimal
        /// What a prompt token read from the provider's cache costs; nil prices it at the input rate.
        package var cachedInputPerMillion: Decimal? = nil
        /// What writing a token to the cache costs, for providers that bill it apart (Anthropic).
        package var cacheWritePerMillion: Decimal? = nil
        /// What a batch API charges: the share of each rate (`batch_discount`, default 0.5: half
        /// price), or explicit rates, which win over the share.
        package var batchDiscount: Decimal? = nil
        package var batchInputPerMillion: Decimal? = nil
        package var batchOutputPerMillion: Decimal? = nil
        package var batchCachedInputPerMillion: Decimal? = nil

        /// The price of an answer that came through a batch API: the explicit batch rates, else
        /// every rate times `batch_discount` (0.5 when not given).
        package var batched: Price {
            let share = batchDiscount ?? Decimal(string: "0.5")!
            var p = Price(
                inputPerMillion: batchInputPerMillion ?? inputPerMillion * share,
                outputPerMillion: batchOutputPerMillion ?? outputPerMillion * share)
            p.cachedInputPerMillion = batchCachedInputPerMillion ?? cachedInputPerMillion.map { $0 * share }
            p.cacheWritePerMillion = cacheWritePerMillion.map { $0 * share }
            return p
        }

        /// The price of a stored or decoded answer: the batch price when its usage says it came
        /// through a batch (`"batch": 1`, see `batchUsageKey`).
        package func forUsage(_ usage: [String: Double]?) -> Price {
            usage?[PriceTable.batchUsageKey] == 1 ? batched : self
        }

        /// The cost of one answer in US dollars, computed exactly and rounded once, to a Double;
        /// nil for token counts no server means (negative, fractional, absurdly large, more
        /// cached tokens than prompt tokens where they are a part of them).
        package func cost(_ tokens: BilledTokens) -> Double? {
            switch tokens {
            case .openAICompatible(let prompt, let cached, let completion):
                guard let prompt = Self.count(prompt), let cached = Self.count(cached),
                    let completion = Self.count(completion),
                    cached <= prompt
                else { return nil }
                let input = (prompt - cached) * inputPerMillion + cached * (cachedInputPerMillion ?? inputPerMillion)
                return Self.double((input + completion * outputPerMillion) / 1_000_000)
            case .anthropic(let input, let cacheRead, let cacheWrite, let output):
                guard let input = Self.count(input), let cacheRead = Self.count(cacheRead),
                    let cacheWrite = Self.count(cacheWrite),
                    let output = Self.count(output)
                else { return nil }
                let prompt =
                    input * inputPerMillion + cacheRead * (cachedInputPerMillion ?? inputPerMillion)
                    + cacheWrite * (cacheWritePerMillion ?? inputPerMillion)
                return Self.double((prompt + output * outputPerMillion) / 1_000_000)
            }
        }

        package func cost(promptTokens: Double, completionTokens: Double) -> Double? {
            cost(.openAICompatible(prompt: promptTokens, cached: 0, completion: completionTokens))
        }

        /// True when `tokens` include cached tokens this price has no cached rate for (so they
        /// were priced at the full input rate, which the run says).
        package func lacksCachedRate(_ tokens: BilledTokens) -> Bool {
            !missingRates(tokens).isEmpty
        }

        /// The price keys `tokens` needed and this price lacks (`cached_input_per_million`,
        /// `cache_write_per_million`): the tokens they would price went at the full input rate.
        package func missingRates(_ tokens: BilledTokens) -> [String] {
            let (read, written): (Double, Double)
            switch tokens {
            case .openAICompatible(_, let cached, _): (read, written) = (cached, 0)
            case .anthropic(_, let cacheRead, let cacheWrite, _): (read, written) = (cacheRead, cacheWrite)
            }
            return (read > 0 && cachedInputPerMillion == nil ? ["cached_input_per_million"] : [])
                + (written > 0 && cacheWritePerMillion == nil ? ["cache_write_per_million"] : [])
        }

        private static func count(_ tokens: Double) -> Decimal? {
            guard (0...1e12).contains(tokens), tokens == tokens.rounded() else { return nil }
            return Decimal(Int64(tokens))
        }

        package var json: JSONValue {
            var members: [String: JSONValue] = [
                "input_per_million": .number(Self.double(inputPerMillion)),
                "output_per_million": .number(Self.double(outputPerMillion)),
            ]
            if let cachedInputPerMillion {
                members["cached_input_per_million"] = .number(Self.double(cachedInputPerMillion))
            }
            if let cacheWritePerMillion {
                members["cache_write_per_million"] = .number(Self.double(cacheWritePerMillion))
            }
            if let batchDiscount { members["batch_discount"] = .number(Self.double(batchDiscount)) }
            if let batchInputPerMillion {
                members["batch_input_per_million"] = .number(Self.double(batchInputPerMillion))
            }
            if let batchOutputPerMillion {
                members["batch_output_per_million"] = .number(Self.double(batchOutputPerMillion))
            }
            if let batchCachedInputPerMillion {
                members["batch_cached_input_per_million"] = .number(Self.double(batchCachedInputPerMillion))
            }
            return .object(members)
        }

        /// Through the decimal text: `NSDecimalNumber.doubleValue` was not correctly rounded on
        /// Linux (4.65e-06 came out as 4.6499999999999995e-06), parsing the text is. A decimal's
        /// text is always a number, so the NaN is never returned.
        package static func double(_ d: Decimal) -> Double {
            Double(d.description) ?? .nan
        }
    }

    /// Token counts as one provider's usage reports them: each provider's semantics is a case,
    /// so a price is computed from what that provider means by its figures.
    package enum BilledTokens: Sendable, Equatable {
        /// OpenAI-compatible (OpenAI, Gemini, llama.cpp): `cached` is
        /// `prompt_tokens_details.cached_tokens`, a part of `prompt`, at the cached rate.
        case openAICompatible(prompt: Double, cached: Double, completion: Double)
        /// Anthropic: `cache_read_input_tokens` (at the cached rate) and
        /// `cache_creation_input_tokens` (at the cache-write rate) come on top of `input_tokens`.
        case anthropic(input: Double, cacheRead: Double, cacheWrite: Double, output: Double)

        /// From a stored or decoded usage, flat as evalguard keeps it (`cached_tokens` holds
        /// `prompt_tokens_details.cached_tokens`); Anthropic's by its own names (`input_tokens`,
        /// `output_tokens`). Nil without input and output counts.
        package init?(usage: [String: Double]) {
            if let prompt = usage["prompt_tokens"], let completion = usage["completion_tokens"] {
                self = .openAICompatible(prompt: prompt, cached: usage["cached_tokens"] ?? 0, completion: completion)
            } else if let input = usage["input_tokens"], let output = usage["output_tokens"] {
                self = .anthropic(
                    input: input, cacheRead: usage["cache_read_input_tokens"] ?? 0,
                    cacheWrite: usage["cache_creation_input_tokens"] ?? 0, output: output)
            } else {
                return nil
            }
        }

        /// Every token of a stored usage, for reports: `total_tokens` when the server said it,
        /// else the prompt and completion added up (Anthropic's: input, read from and written to
        /// the cache, and output); nil without an input count.
        package static func total(usage u: [String: Double]) -> Double? {
            if let total = u["total_tokens"] { return total }
            if let prompt = u["prompt_tokens"] { return prompt + (u["completion_tokens"] ?? 0) }
            guard let input = u["input_tokens"] else { return nil }
            return input + (u["cache_read_input_tokens"] ?? 0) + (u["cache_creation_input_tokens"] ?? 0)
                + (u["output_tokens"] ?? 0)
        }

        /// The counts of `runs` runs from their mean (a repeated case stores the mean usage).
        package func summed(over runs: Double) -> BilledTokens {
            switch self {
            case .openAICompatible(let prompt, let cached, let completion):
                return .openAICompatible(
                    prompt: (prompt * runs).rounded(), cached: (cached * runs).rounded(),
                    completion: (completion * runs).rounded())
            case .anthropic(let input, let cacheRead, let cacheWrite, let output):
                return .anthropic(
                    input: (input * runs).rounded(), cacheRead: (cacheRead * runs).rounded(),
                    cacheWrite: (cacheWrite * runs).rounded(), output: (output * runs).rounded())
            }
        }
    }

    package var models: [String: Price]
    package var displayPath: String

    /// The member of a stored usage that marks an answer as coming through a batch API (1), so
    /// that re-pricing it applies the batch price.
    package static let batchUsageKey = "batch"

    package static func parse(_ source: ConfigSource) throws -> PriceTable {
        let root = try ConfigNode.parse(source)
        var models: [String: Price] = [:]
        for (name, node) in try root.dictionary() {
            let members = try node.object(allowed: [
                "input_per_million", "output_per_million",
                "cached_input_per_million", "cache_write_per_million", "batch_discount",
                "batch_input_per_million", "batch_output_per_million",
                "batch_cached_input_per_million",
            ])
            guard let input = members["input_per_million"], let output = members["output_per_million"] else {
                throw node.error(
                    "a price needs \"input_per_million\" and \"output_per_million\" (US dollars per million tokens)")
            }
            var price = Price(
                inputPerMillion: try decimal(input), outputPerMillion: try decimal(output),
                cachedInputPerMillion: try members["cached_input_per_million"].map(decimal),
                cacheWritePerMillion: try members["cache_write_per_million"].map(decimal))
            if let share = members["batch_discount"] {
                guard try share.number(in: 0...1) > 0 else {
                    throw share.error(
                        "\"batch_discount\" is the share of the price a batch pays, above 0 and at most 1",
                        hint: "OpenAI's and Anthropic's batches cost half: 0.5.")
                }
                price.batchDiscount = try decimal(share)
            }
            price.batchInputPerMillion = try members["batch_input_per_million"].map(decimal)
            price.batchOutputPerMillion = try members["batch_output_per_million"].map(decimal)
            price.batchCachedInputPerMillion = try members["batch_cached_input_per_million"].map(decimal)
            models[name] = price
        }
        return PriceTable(models: models, displayPath: source.displayPath)
    }

    /// The number as written (0.15, not 0.1499999...): Double's shortest round-trip text is exact.
    private static func decimal(_ node: ConfigNode) throws -> Decimal {
        let n = try node.number(in: 0...1_000_000)
        guard let d = Decimal(string: "\(n)", locale: Locale(identifier: "en_US_POSIX")) else {
            throw node.error("not a price: \(n)")
        }
        return d
    }

    /// The table at `path` (from the repository root), or nil when there is no such file.
    package static func load(repositoryRoot root: String, path: String) throws -> PriceTable? {
        guard let data = try RepositoryFile.contents(path, root: root) else { return nil }
        return try parse(ConfigSource(displayPath: path, text: TextBytes.decode(data, displayPath: path)))
    }
}
