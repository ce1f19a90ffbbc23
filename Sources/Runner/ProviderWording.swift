/// How a provider's messages name what it runs, where its settings live and which case a
/// request is: a model's by default; a judge, a scoring program or an embedder says its own,
/// so that a failure points at the setting to change and the case that failed, not at a model
/// or a cache key.
package struct ProviderWording {
    /// "the model", "the judge 'grader'", "the scoring program python3 tone.py".
    package var subject: String
    /// Where its settings are: "model", "models.grader", "suites.replies.scorer".
    package var settings: String
    /// What a request is called in a message, from its id ("case 7").
    package var request: (String) -> String
    /// Who asks it, when that helps find it: "suite 'replies'".
    package var usedBy: String?

    package init(subject: String, settings: String, request: @escaping (String) -> String = { "case " + $0 }) {
        self.subject = subject
        self.settings = settings
        self.request = request
    }

    package static var model: ProviderWording { ProviderWording(subject: "the model", settings: "model") }

    /// The subject at the start of a sentence.
    var capitalized: String { subject.prefix(1).uppercased() + subject.dropFirst() }
}
