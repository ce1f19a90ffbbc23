import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

/// `--shard i/N`: share `index` (1-based) of `count`. A case belongs to the share its suite name
/// and id hash to, never to a position: adding or removing a case moves no other case between
/// shares, so runners keep their stored answers when the suite grows.
package struct Shard: Sendable, Equatable, Hashable, CustomStringConvertible {
    package var index: Int
    package var count: Int

    package init(index: Int, count: Int) {
        precondition(count >= 1 && (1...count).contains(index), "a shard is i/N with 1 ≤ i ≤ N")
        (self.index, self.count) = (index, count)
    }

    /// Parses `i/N`; nil unless 1 ≤ i ≤ N (the caller words the error).
    package init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
            return nil
        }
        self.init(index: i, count: n)
    }

    package var description: String { "\(index)/\(count)" }

    /// The share (1-based) a case of `suite` falls in among `count`: the first 64 bits of the
    /// git blob id of "suite NUL id", modulo `count`.
    package static func share(suite: String, caseID: String, count: Int) -> Int {
        guard count > 1 else { return 1 }
        let digest = GitHash.blobID(of: suite + "\u{0}" + caseID)
        // A blob id is 40 hex digits, so its first 16 always parse.
        return Int(UInt64(digest.prefix(16), radix: 16)! % UInt64(count)) + 1
    }

    package func contains(suite: String, caseID: String) -> Bool {
        Self.share(suite: suite, caseID: caseID, count: count) == index
    }
}

/// What a `--shard` run writes: one share of a commit's evaluation. It is NOT a result: its
/// top level has no `format`, so every reader of results (`check`, `log`, the hook, blame, the
/// key index, notes) fails to decode it as one and treats it as absent, wherever it is copied.
/// Only `evalguard merge` reads it. `result` holds the share's cases under the whole
/// evaluation's keys (run key, suite keys, model fingerprints); its metrics cover the share
/// alone and are recomputed by the merge.
package struct ShardResult: Codable, Sendable {
    /// "evalguard shard": says what the file is to a reader that opens it.
    package var kind: String = Self.kind
    package var shardFormat: Int = Self.formatVersion
    package var shard: String
    package var index: Int
    package var count: Int
    package var commit: String
    /// The evaluation key of the whole commit (as `RunResult.key`).
    package var key: String
    /// Per suite, in configuration order: its key and the ids of the cases this share holds.
    package var suites: [ShardSuite]
    package var result: RunResult

    package static let kind = "evalguard shard"
    package static let formatVersion = 1

    package struct ShardSuite: Codable, Sendable, Equatable {
        package var name: String
        package var key: String?
        package var caseIDs: [String]
        enum CodingKeys: String, CodingKey {
            case name, key
            case caseIDs = "case_ids"
        }
    }

    enum CodingKeys: String, CodingKey {
        case kind, shard, index, count, commit, key, suites, result
        case shardFormat = "shard_format"
    }

    package init(shard: Shard, result: RunResult) {
        (self.shard, index, count) = (shard.description, shard.index, shard.count)
        (commit, key, self.result) = (result.commit, result.key, result)
        suites = result.suites.map { ShardSuite(name: $0.name, key: $0.key, caseIDs: $0.cases.map(\.id)) }
    }

    package var share: Shard? { count >= 1 && (1...count).contains(index) ? Shard(index: index, count: count) : nil }
}

extension ResultStore {
    /// `.evals/results/shards/<commit>/<i>-of-<N>.json`: where `--shard` writes its share. Not a
    /// result (see `ShardResult`); CI jobs pass these files to the job that runs `evalguard merge`.
    package static let shardDirectory = directory + "/shards"

    package func shardDisplayPath(commit: String, shard: Shard) -> String {
        Self.shardDirectory + "/\(commit)/\(shard.index)-of-\(shard.count).json"
    }

    /// Writes the share's file (atomically) and returns its path from the repository root.
    @discardableResult
    package func saveShard(_ shard: ShardResult, _ which: Shard) throws -> String {
        let relative = shardDisplayPath(commit: shard.commit, shard: which)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(shard)) + [0x0A], to: root + "/" + relative)
        return relative
    }

    /// Reads a share written by `saveShard`; `displayPath` names it in errors (exit 2).
    package static func loadShard(_ data: Data, displayPath: String) throws -> ShardResult {
        let hint = "Pass the files that 'evalguard run --shard i/N' wrote under \(shardDirectory)/<commit>/."
        struct Header: Decodable {
            var kind: String?
            var shard_format: Int?
            var format: Int?
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw EvalGuardError("not a shard result: not a JSON object", file: displayPath, hint: hint)
        }
        guard header.kind == ShardResult.kind else {
            throw EvalGuardError(
                header.format != nil
                    ? "this is a whole result, not a shard result"
                    : "not a shard result (no \"kind\": \"\(ShardResult.kind)\")",
                file: displayPath, hint: hint)
        }
        guard header.shard_format == ShardResult.formatVersion else {
            throw EvalGuardError(
                "written by another evalguard version (shard_format \(header.shard_format.map(String.init) ?? "missing"), expected \(ShardResult.formatVersion))",
                file: displayPath, hint: "Run every shard and the merge with the same evalguard version.")
        }
        let shard: ShardResult
        do { shard = try JSONDecoder().decode(ShardResult.self, from: data) } catch {
            throw EvalGuardError("a shard result that cannot be read: \(error)", file: displayPath, hint: hint)
        }
        guard shard.share != nil, shard.result.format == RunResult.formatVersion else {
            throw EvalGuardError(
                "a shard result with a bad shard (\(shard.index)/\(shard.count)) or result format (\(shard.result.format))",
                file: displayPath, hint: hint)
        }
        // The same checks as every stored result's (`RunResult.storedProblem`), but a share is
        // named on the command line: refused, not set aside.
        if let problem = shard.result.storedProblem {
            throw EvalGuardError(
                "a shard result no run could have written: \(problem)", file: displayPath,
                hint:
                    "Run that share again with 'evalguard run --shard \(shard.index)/\(shard.count)' and pass the file it writes."
            )
        }
        return shard
    }
}

extension RunResult {
    /// The share of this result that `shard` holds: each suite's cases in it, with the share's
    /// metrics and what was reused for it; keys unchanged.
    package func share(_ shard: Shard) -> RunResult {
        var copy = self
        for i in copy.suites.indices {
            let name = copy.suites[i].name
            copy.suites[i].cases.removeAll { !shard.contains(suite: name, caseID: $0.id) }
            copy.suites[i].metrics = Metrics(copy.suites[i].cases)
            if var reuse = copy.suites[i].reuse {
                reuse.ran.removeAll { !shard.contains(suite: name, caseID: $0) }
                reuse.reused = copy.suites[i].cases.count - reuse.ran.count
                copy.suites[i].reuse = reuse
            }
        }
        copy.overall = Metrics(of: copy.suites.lazy.flatMap(\.cases))
        return copy
    }
}
