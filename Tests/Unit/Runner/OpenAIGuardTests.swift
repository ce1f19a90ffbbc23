import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardConfig
@testable import EvalGuardRunner
@testable import EvalGuardSupport

/// What a hostile or broken server, or a sloppy environment, must not do to evalguard.
@Suite struct OpenAIGuardTests {
    @Test func anAbsurdChunkSizeIsMalformedNotACrash() {
        var parser = HTTPResponseParser()
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nabc"
        Array(text.utf8).withUnsafeBytes { parser.append($0) }
        #expect(throws: HTTPResponseParser.Malformed.self) { try parser.complete(atEOF: false) }
    }

    @Test func implausibleTokenCountsGiveNoCost() {
        let price = PriceTable.Price(inputPerMillion: 0.15, outputPerMillion: 0.6)
        #expect(price.cost(promptTokens: 1_000_000, completionTokens: 0) == 0.15)
        #expect(price.cost(promptTokens: .infinity, completionTokens: 1) == nil)
        #expect(price.cost(promptTokens: 1e300, completionTokens: 1) == nil)
        #expect(price.cost(promptTokens: -3, completionTokens: 1) == nil)
        #expect(price.cost(promptTokens: 1.5, completionTokens: 1) == nil)
    }

    @Test func aBaseURLWithAQueryIsRefused() throws {
        let error = try #require(throws: EvalGuardError.self) {
            try openAIConfig(#"{"provider": "openai", "model": "m", "base_url": "https://x.example/v1?api-version=1"}"#)
        }
        #expect(error.message.contains("cannot carry a query"))
    }

    @Test func aKeyWithACarriageReturnIsRefusedWithoutPrintingIt() throws {
        let model = try openAIConfig(
            #"{"provider": "openai", "model": "m", "api_key_env": "K", "messages": [{"role": "user", "content": "{{input}}"}]}"#
        )
        let error = try #require(throws: EvalGuardError.self) {
            try OpenAIProvider(model: model, openAI: model.openAI!, price: nil, environment: ["K": "sk-secret\r"])
        }
        #expect(error.message.contains("control character"))
        #expect(!error.description.contains("sk-secret"))
    }

    @Test func anUnreadableSSLCertFileIsAnErrorNotASilentFallback() {
        let error = #expect(throws: EvalGuardError.self) {
            try TLSAuthorities.source(environment: ["SSL_CERT_FILE": "/nonexistent/bundle.pem"])
        }
        #expect(error?.message.contains("/nonexistent/bundle.pem") == true)
    }
}
