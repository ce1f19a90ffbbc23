import EvalGuardSupport
import FoundationEssentials

/// The batch a model's requests went to, kept in a small file until its answers are read, so
/// that a run that stopped while it ran (`--max-wait`, Ctrl-C, a lost connection) resumes it
/// rather than paying for the same requests twice. The file holds the digest of the requests:
/// a run whose requests differ (cases changed) submits its own batch. The digest covers the
/// server (`base_url`): a batch is resumed only where it was submitted.
package struct BatchState {
    /// The file, and how messages show it (from the repository root).
    let path: String
    package let displayPath: String

    /// `root` is the repository root; the file is `<resultsDirectory>/batches/<name>.json`, its name
    /// made of letters, digits, `-`, `_` and `.` (`model`, `models.grader`).
    package init(root: String, resultsDirectory: String, name: String) {
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        displayPath = resultsDirectory + "/batches/" + safe + ".json"
        path = root + "/" + displayPath
    }

    struct Entry: Equatable {
        var batchID: String
        var digest: String
        var requests: Int
    }

    /// The batch kept for requests with `digest`, if any; `unplaced` is their digest without the
    /// server, which a file written before the digest covered it (no `base_url`) holds.
    /// How an error ends when a create's outcome is unknown: the state is then kept, so the next
    /// run looks for the batch before creating another.
    static let mayExist = "the batch may have been created all the same"

    func pending(digest: String, unplaced: String) -> Entry? {
        guard let data = FileManager.default.contents(atPath: path),
            let value = Array(data).withUnsafeBufferPointer({ try? JSONParser.parse($0) }),
            let id = value["batch_id"]?.stringValue,
            value["digest"]?.stringValue == (value["base_url"] == nil ? unplaced : digest)
        else { return nil }
        return Entry(
            batchID: id, digest: digest, requests: value["requests"]?.numberValue.flatMap { Int(exactly: $0) } ?? 0)
    }

    /// Whether the file says a batch of the requests with `digest` was being created and its
    /// create never answered (no `batch_id`): the batch may exist at the provider.
    func unanswered(digest: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path),
            let value = Array(data).withUnsafeBufferPointer({ try? JSONParser.parse($0) })
        else { return false }
        return value["batch_id"] == nil && value["digest"]?.stringValue == digest
    }

    /// Whatever batch the file names (a run with other requests reports it as left behind).
    func kept() -> String? {
        guard let data = FileManager.default.contents(atPath: path),
            let value = Array(data).withUnsafeBufferPointer({ try? JSONParser.parse($0) })
        else { return nil }
        return value["batch_id"]?.stringValue
    }

    /// Keeps `entry`; with no batch id (`""`), before its create is sent, so that a create that
    /// never answered is looked for by the next run rather than sent again.
    func save(_ entry: Entry, service: String, baseURL: String) throws {
        var text = ""
        var fields: [String: JSONValue] = [
            "digest": .string(entry.digest), "base_url": .string(baseURL),
            "requests": .number(Double(entry.requests)), "service": .string(service),
            "submitted_at": .string(utcTimestamp()),
        ]
        if !entry.batchID.isEmpty { fields["batch_id"] = .string(entry.batchID) }
        JSONWriter.write(.object(fields), to: &text)
        try AtomicFile.write(text + "\n", to: path)
    }

    /// Forgets the batch once its answers are stored (`BatchLedger.clear`).
    func clear() {
        // A file left behind only costs a status poll of an ended batch on the next run.
        _ = try? FileManager.default.removeItem(atPath: path)
    }
}

/// The batches whose answers a run has read. Their state files stay until the run's result is
/// stored: a run that stops after reading them (a judge's batch past `--max-wait`, Ctrl-C, a
/// failed judge) leaves them for the next run, which reads the ended batch again at no cost
/// rather than submitting and paying for the same requests twice.
package final class BatchLedger {
    private var answered: [BatchState] = []

    package init() {}

    func add(_ state: BatchState) { answered.append(state) }

    /// Whether this run read the answers of the batch `state` keeps.
    func has(_ state: BatchState) -> Bool { answered.contains { $0.path == state.path } }

    /// Removes the state files of the batches read: called once their answers are stored.
    package func clear() {
        for state in answered { state.clear() }
        answered = []
    }
}
