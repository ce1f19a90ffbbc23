import Foundation
import EvalGuardSupport

/// `.evals/prices.json`: what a model costs, per million tokens, committed with the code so a
/// price change is a reviewed commit and an old result can be recomputed.
///
///     {"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60}}
package struct PriceTable: Sendable {
    package struct Price: Sendable, Equatable {
        /// Decimal, so that 1,234 tokens at $0.15 per million is exactly $0.0001851.
        package var inputPerMillion: Decimal
        package var outputPerMillion: Decimal

        /// The cost of one answer in US dollars, computed exactly and rounded once, to a Double;
        /// nil for token counts no server means (negative, fractional, absurdly large).
        package func cost(promptTokens: Double, completionTokens: Double) -> Double? {
            let plausible = 0...1e12
            guard plausible.contains(promptTokens), plausible.contains(completionTokens),
                  promptTokens == promptTokens.rounded(), completionTokens == completionTokens.rounded() else { return nil }
            let input = Decimal(Int64(promptTokens)) * inputPerMillion
            let output = Decimal(Int64(completionTokens)) * outputPerMillion
            return Self.double((input + output) / 1_000_000)
        }

        package var json: JSONValue {
            .object(["input_per_million": .number(Self.double(inputPerMillion)),
                     "output_per_million": .number(Self.double(outputPerMillion))])
        }

        /// Through the decimal text: `NSDecimalNumber.doubleValue` is not correctly rounded on
        /// Linux (4.65e-06 came out as 4.6499999999999995e-06), parsing the text is.
        static func double(_ d: Decimal) -> Double {
            Double(d.description) ?? NSDecimalNumber(decimal: d).doubleValue
        }
    }

    package var models: [String: Price]
    package var displayPath: String

    package static func parse(_ source: ConfigSource) throws -> PriceTable {
        let root = try ConfigNode.parse(source)
        var models: [String: Price] = [:]
        for (name, node) in try root.dictionary() {
            let members = try node.object(allowed: ["input_per_million", "output_per_million"])
            guard let input = members["input_per_million"], let output = members["output_per_million"] else {
                throw node.error("a price needs \"input_per_million\" and \"output_per_million\" (US dollars per million tokens)")
            }
            models[name] = Price(inputPerMillion: try decimal(input), outputPerMillion: try decimal(output))
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
