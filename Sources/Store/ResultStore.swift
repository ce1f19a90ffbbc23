import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where results live: `.evals/results/<commit>.json` (one per commit, ignored by git),
/// `.evals/results/keys/<evaluation key>` (which commit's result holds that key, so any commit
/// with the same inputs finds it without reading every result), and a git note per commit under
/// `refs/notes/evalguard`, which travels between machines. Reading looks in the files first.
package struct ResultStore {
    package static let directory = ".evals/results"
    package let root: String
    let repository: Repository?

    package init(root: String, repository: Repository? = nil) {
        self.root = root
        self.repository = repository
    }

    package func displayPath(for commit: String) -> String { Self.directory + "/\(commit).json" }
    func path(for commit: String) -> String { root + "/" + displayPath(for: commit) }
    func keyPath(_ key: String) -> String { root + "/" + Self.directory + "/keys/" + key }

    /// The result stored for a commit in the files, whatever its key, or nil. A file that cannot
    /// be read as a result (an older format, a hand edit) counts as absent and is re-evaluated.
    package func load(commit: String) -> RunResult? {
        // A partial result (a blame probe's cases) is never a commit's result.
        MappedFile(path: path(for: commit)).flatMap { Self.decode($0, source: displayPath(for: commit)) }
            .flatMap { $0.partial == nil ? $0 : nil }
    }

    /// The result for a commit from the files, else from its git note.
    package func result(commit: String) -> RunResult? {
        load(commit: commit) ?? note(commit: commit)
    }

    /// How many first-parent ancestors' notes are searched for a result with the same key.
    static let ancestorSearchLimit = 100

    /// A stored result evaluated with exactly this key: the commit's own (file, then note),
    /// else whichever commit the key index names, else the note of a recent first-parent ancestor
    /// (a fresh clone with fetched notes has no key index; an unchanged model's result usually
    /// sits a few commits back). A result found in a note is cached in the files.
    ///
    /// With `repeats`, only a result made with that many runs per case counts: a single-run result
    /// cannot stand in for `--repeat 5`.
    /// `files`: result files decoded so far in this evaluation, shared with `candidates`.
    package func find(key: String, commit: String, repeats: Int? = nil, files: ResultFiles? = nil) -> RunResult? {
        let fits = { (r: RunResult) in
            r.key == key && r.partial == nil && (repeats == nil || (r.repeats ?? 1) == repeats)
        }
        let load = { (sha: String) in files.map { $0.load(sha, from: self) } ?? self.load(commit: sha) }
        if let own = load(commit), fits(own) { return own }
        if let other = indexed(key) {
            if let result = load(other), fits(result) { return result }
            // Its file may since hold a run of its working tree (another key); its note keeps the
            // result, which is cached into the files again, as a result found in a note always is.
            if let noted = note(commit: other), fits(noted) {
                try? saveFiles(noted)
                files?.forget(other)
                return noted
            }
        }
        let ancestors =
            (try? repository?.commits(
                from: commit, hiding: nil, firstParent: true,
                limit: Self.ancestorSearchLimit)) ?? nil
        for sha in ancestors ?? [commit] {
            // The key is a 40-digit hex id: a note without it cannot hold the result; skip decoding.
            guard let text = try? repository?.note(on: sha), Self.holds(text, key),
                let noted = Self.decodeAll(RunResult.self, Data(text.utf8), source: Self.noteSource(sha)).first(
                    where: fits)
            else { continue }
            try? saveFiles(noted)
            files?.forget(noted.commit)
            return noted
        }
        return nil
    }

    /// Whether `text` holds `key`'s bytes: a search of the note's bytes (memchr, then memcmp),
    /// not Foundation's string search, which costs a 100,000-case note tens of milliseconds.
    static func holds(_ text: String, _ key: String) -> Bool {
        var text = text
        var key = key
        return text.withUTF8 { t in
            key.withUTF8 { k in
                guard let tb = t.baseAddress, let kb = k.baseAddress else { return k.isEmpty }
                var at = 0
                while at + k.count <= t.count {
                    guard let found = memchr(tb + at, Int32(kb[0]), t.count - k.count - at + 1) else { return false }
                    at = tb.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if memcmp(tb + at, kb, k.count) == 0 { return true }
                    at += 1
                }
                return false
            }
        }
    }

    /// Stores a result in the files and, for a clean result (one that is exactly its commit),
    /// as the commit's git note.
    /// Ctrl-C stops the note's blob stream too, which libgit2 then removes.
    package func save(_ result: RunResult) throws {
        precondition(result.partial == nil, "a partial result is saved with savePartial")
        Interrupts.beginDeferring()
        defer { Interrupts.endDeferring() }
        try saveFiles(result)
        if !result.dirty, let repository {
            do {
                try repository.setNote(on: result.commit) { sink in
                    try Self.writeJSON(result, pretty: false) { bytes in
                        try Interrupts.checkpoint()
                        try sink(bytes)
                    }
                }
            } catch let error as GitError where error.isDiskFull {
                throw Self.noteNotWritten(
                    error, resultFile: displayPath(for: result.commit), gitDirectory: repository.gitDirectory)
            }
        }
    }

    /// A note that the disk had no room for, after the result file was written: the result is
    /// stored and used from the file; only the note, which carries it to other clones, is missing.
    static func noteNotWritten(_ error: GitError, resultFile: String, gitDirectory: String) -> EvalGuardError {
        let reason = error.osError == EDQUOT ? "over its quota (EDQUOT)" : "full (ENOSPC)"
        return EvalGuardError(
            "the disk under \(gitDirectory) is \(reason): the result was stored in \(resultFile), but not as a git note (\(error.function) failed)",
            hint:
                "Free some space there. The result file is kept and used as it is; its note, which 'evalguard sync' shares, is written the next time the commit is evaluated (evalguard run --fresh).",
            category: .store)
    }

    private func saveFiles(_ result: RunResult) throws {
        try AtomicFile.write(to: path(for: result.commit)) { sink in
            try Self.writeJSON(result, pretty: true, newline: true, to: sink)
        }
        try AtomicFile.write(result.commit + "\n", to: keyPath(result.key))
        for key in Set(result.suites.compactMap(\.key)) { try AtomicFile.write(result.commit + "\n", to: keyPath(key)) }
    }

    package func note(commit: String) -> RunResult? {
        guard let text = try? repository?.note(on: commit) else { return nil }
        return Self.decode(Data(text.utf8), source: Self.noteSource(commit)).flatMap { $0.partial == nil ? $0 : nil }
    }

    /// How a warning names a commit's note.
    package static func noteSource(_ commit: String) -> String {
        "the git note of commit \(commit.prefix(12)) (refs/notes/evalguard)"
    }

    /// The commit whose result the key index names for `key`; nil when there is no entry, or
    /// when the entry is not a commit id (said once as a warning: it would name a path).
    package func indexed(_ key: String) -> String? {
        guard let pointer = FileManager.default.contents(atPath: keyPath(key)) else { return nil }
        let commit = String(decoding: pointer, as: UTF8.self).trimmingWhitespaceAndNewlines()
        guard RunResult.isObjectID(commit) else {
            StoredInputWarnings.warn(
                "ignoring \(Self.directory)/keys/\(key): it holds \(RunResult.shown(commit)), not a commit id")
            return nil
        }
        return commit
    }

    /// A result's JSON, streamed to `sink`: a file's is pretty and ends with a newline, a note's is
    /// compact. The bytes are `JSONEncoder`'s (see `RunResult+JSON.swift`), without either copy
    /// of a 100,000-case result ever being whole in memory.
    static func writeJSON(_ result: RunResult, pretty: Bool, newline: Bool = false, to sink: @escaping ByteSink) throws
    {
        let json = JSONStream(pretty: pretty, sink: sink)
        try result.write(to: json)
        try json.finish(newline: newline)
    }

    /// A result's JSON in memory, as `writeJSON` streams it.
    static func encode(_ result: RunResult, pretty: Bool) throws -> Data {
        var data = Data()
        try writeJSON(result, pretty: pretty) { data.append(contentsOf: $0) }
        return data
    }

    static func decode(_ data: Data, source: String) -> RunResult? { decode(RunResult.self, data, source: source) }

    /// A result file, mapped: read by hand with the pages read let go as the reader passes them,
    /// so a 40 MB file is never in memory whole; what the hand reader refuses is decoded as `decode` does.
    static func decode(_ file: MappedFile, source: String) -> RunResult? {
        DecodeTrace.decodedResult()
        if let result = RunResult.read(file.bytes, decoder: decoder, passed: file.release(before:)) {
            return checked(result, source: source)
        }
        let data = file.data
        if let result = try? decoder.decode(RunResult.self, from: data) { return checked(result, source: source) }
        return decodeAll(RunResult.self, data, source: source).first
    }

    /// A result file's content as `T` (the whole result, or a summary of it); nil for another
    /// format version, a file that is not a result, or one that fails its checks (see
    /// `checked`). `source` names the file or note in the warning.
    package static func decode<T: Decodable & Versioned>(_ type: T.Type, _ data: Data, source: String) -> T? {
        DecodeTrace.decodedResult()
        if let value = try? decodeOne(type, data) { return checked(value, source: source) }
        return decodeAll(type, data, source: source).first
    }

    /// One result: a whole one read by hand first (`RunResult.read`), anything else, or what
    /// that reader refuses, by `JSONDecoder`.
    private static func decodeOne<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        if T.self == RunResult.self, let result = RunResult.read(data, decoder: decoder) as? T { return result }
        return try decoder.decode(type, from: data)
    }

    /// Every result in a file or note. A note merged by `evalguard sync` (git's cat_sort_uniq)
    /// holds one result per line when both sides evaluated the commit; the lines are sorted, so
    /// every clone reads them in the same order.
    package static func decodeAll<T: Decodable & Versioned>(_ type: T.Type, _ data: Data, source: String) -> [T] {
        if let value = try? decodeOne(type, data) { return checked(value, source: source).map { [$0] } ?? [] }
        return data.split(separator: 0x0A).compactMap { line in
            (try? decodeOne(type, Data(line))).flatMap { checked($0, source: source) }
        }
    }

    /// The one gate every stored result passes on its way in: this format, and nothing no run
    /// could have written (`storedProblem`). What fails is absent to the caller, with a warning
    /// naming `source` and the problem, so a forged or damaged result is re-evaluated, never
    /// gated on and never a crash.
    package static func checked<T: Versioned>(_ value: T, source: String) -> T? {
        guard value.format == RunResult.formatVersion else { return nil }
        if let problem = value.storedProblem {
            StoredInputWarnings.warn("ignoring the stored result in \(source): \(problem)")
            return nil
        }
        return value
    }

    /// One decoder for every read: `log` reads thousands of results.
    private static let decoder = JSONDecoder()
}

/// The result files one evaluation has decoded, by commit: `find` and `candidates` read each
/// file once between them (a 100,000-case result costs its decoding each time).
package final class ResultFiles {
    private var known: [String: RunResult?] = [:]

    package init() {}

    func load(_ commit: String, from store: ResultStore) -> RunResult? {
        if let result = known[commit] { return result }
        let result = store.load(commit: commit)
        known[commit] = .some(result)
        return result
    }

    /// A file written since it was read.
    func forget(_ commit: String) { known[commit] = nil }
}

/// What a result file's readers check before trusting it.
package protocol Versioned {
    var format: Int { get }
    /// Why the value cannot be trusted (see `RunResult.storedProblem`), or nil.
    var storedProblem: String? { get }
}

extension RunResult: Versioned {}
