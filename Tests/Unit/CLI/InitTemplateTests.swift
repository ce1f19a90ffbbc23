import EvalGuardTestSupport
import Testing

@testable import EvalGuardCLI
@testable import EvalGuardConfig

/// The configuration `evalguard init` writes: both providers shown, a second suite to copy, and
/// it parses as written.
@Suite struct InitTemplateTests {
    @Test func theStarterConfigurationShowsBothProvidersAndASecondSuiteAndParses() throws {
        let text = InitTemplates.config
        #expect(text.contains("//   \"provider\": \"openai\","), "\(text)")
        #expect(text.contains("\"base_url\""))
        #expect(text.contains("// \"tickets\": {"))
        let config = try EvalConfig.parse(ConfigSource(displayPath: EvalConfig.path, text: text))
        #expect(config.suites.map(\.name) == ["example"])
        #expect(config.model.openAI == nil)
    }
}
