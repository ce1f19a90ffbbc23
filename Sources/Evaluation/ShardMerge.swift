import EvalGuardConfig
import EvalGuardGit
import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// A share read from a file, with the path that names it in errors.
package struct ShardFile: Sendable {
    package var path: String
    package var shard: ShardResult
    package init(path: String, shard: ShardResult) { (self.path, self.shard) = (path, shard) }
}

extension Evaluator {
    /// `evalguard merge`: checks that `files` are the N shares of one evaluation (same keys, each
    /// share once, every case of every suite exactly once, against the case files of the commit
    /// they name, or of the working tree for a dirty evaluation) and builds the result one machine
    /// would have built: cases in case-file order, metrics over the whole, reuse summed. The
    /// result is stored (file, key index and, when clean, the git note) and returned. Anything
    /// missing, duplicated or mismatched is an input error (exit 2) naming it.
    package func merge(_ files: [ShardFile]) throws -> RunResult {
        guard let first = files.first else { throw Self.refuse("no shard results given") }
        let count = first.shard.count
        if let other = files.first(where: { $0.shard.count != count }) {
            throw Self.refuse(
                "mismatched shards: \(first.path) is shard \(first.shard.shard) but \(other.path) is shard \(other.shard.shard); every share must come from the same --shard i/N split"
            )
        }
        var byIndex: [Int: ShardFile] = [:]
        for file in files {
            if let seen = byIndex[file.shard.index] {
                throw Self.refuse(
                    "duplicated shard \(file.shard.shard): \(seen.path) and \(file.path) (pass each share once)")
            }
            byIndex[file.shard.index] = file
            try Self.sameEvaluation(first, file)
        }
        let result = first.shard.result
        let subject: EvaluationSubject = result.dirty ? .workingTree : .commit(result.commit)
        // Shares made in another clone (a CI job's) name a commit this one may not have fetched.
        if case .commit(let sha) = subject, !repository.hasCommit(sha) {
            throw Self.refuse(
                "the shares evaluated commit \(sha.prefix(7)), which is not in this clone",
                hint:
                    "Fetch it, then merge again: git fetch origin \(sha)\n(or fetch the branch that holds it, or merge in the clone the shares were made in)"
            )
        }
        let config = try config(of: subject)
        if case .workingTree = subject, try repository.headOrUnborn().commit != result.commit {
            throw Self.refuse(
                "mismatched shards: they evaluated uncommitted changes on \(result.commit.prefix(7)), but HEAD is elsewhere",
                hint: "Merge in the working tree the shards ran in, or commit first and shard the commit.")
        }
        let (inputs, _) = try inputFiles(of: subject, config: config, head: result.commit)
        let key = EvaluationKey.compute(files: inputs, formatVersion: RunResult.formatVersion)
        guard key == result.key else {
            throw Self.refuse(
                "mismatched shards: their evaluation key \(result.key.prefix(12)) is not that of \(Self.describe(subject, result)) (\(key.prefix(12)))",
                hint: "Run every shard and the merge on the same commit.")
        }
        let repository = self.repository
        let read: (String) throws -> [UInt8]? =
            switch subject {
            case .commit(let sha): { try repository.fileContents($0, atCommit: sha) }
            case .workingTree: { try RepositoryFile.contents($0, root: repository.root) }
            }
        let suites = try Evaluation.loadSuites(config, read: read)
        let runs = result.repeats ?? 1
        var merged: [SuiteResult] = []
        var missing: [String] = []
        var duplicated: [String] = []
        var unknown: [String] = []
        for suite in suites {
            let name = suite.config.name
            let suiteKey = SuiteKey(suite: suite, config: config, files: inputs, repeats: runs).key
            var found: [String: [(CaseResult, ShardFile)]] = [:]
            var template: SuiteResult?
            var reuses: [SuiteReuse] = []
            for file in files.sorted(by: { $0.shard.index < $1.shard.index }) {
                guard let part = file.shard.result.suite(name) else {
                    throw Self.refuse(
                        "mismatched shards: \(file.path) has no suite '\(name)'",
                        hint: "Run every shard on the same commit.")
                }
                if let partKey = part.key, partKey != suiteKey {
                    throw Self.refuse(
                        "mismatched shards: suite '\(name)' in \(file.path) has the key \(partKey.prefix(12)), not \(suiteKey.prefix(12)) as its case file and model give"
                    )
                }
                guard file.shard.suites.first(where: { $0.name == name })?.caseIDs == part.cases.map(\.id) else {
                    throw Self.refuse(
                        "\(file.path): its case_ids for suite '\(name)' do not match its cases (a file edited by hand?)"
                    )
                }
                template = template ?? part
                if let reuse = part.reuse { reuses.append(reuse) }
                for c in part.cases { found[c.id, default: []].append((c, file)) }
            }
            let ids = Set(suite.cases.map(\.id))
            unknown += found.keys.filter { !ids.contains($0) }.sorted().map { "\(name): \($0)" }
            var cases: [CaseResult] = []
            for c in suite.cases {
                let copies = found[c.id] ?? []
                if copies.isEmpty {
                    missing.append(
                        "\(name): \(c.id) (shard \(Shard.share(suite: name, caseID: c.id, count: count))/\(count))")
                }
                if copies.count > 1 {
                    duplicated.append("\(name): \(c.id) (in \(copies.map(\.1.path).joined(separator: " and ")))")
                }
                if let one = copies.first { cases.append(one.0) }
            }
            // Every file holds the suite (checked above) and `files` is not empty.
            guard var whole = template else { throw Self.refuse("no shard results given") }
            whole.cases = cases
            whole.metrics = Metrics(cases)
            whole.reuse = reuses.isEmpty ? nil : Self.merged(reuses, cases: cases, ids: suite.cases.map(\.id))
            merged.append(whole)
        }
        let absent = (1...count).filter { byIndex[$0] == nil }.map { "\($0)/\(count)" }
        if !absent.isEmpty || !missing.isEmpty {
            throw Self.refuse(
                "missing "
                    + (absent.isEmpty
                        ? ""
                        : absent.count == 1 ? "shard \(absent[0]); " : "\(absent.count) shards: \(Self.list(absent)); ")
                    + "\(missing.count) case(s) are in no shard given: \(Self.list(missing))",
                hint:
                    "Pass every share's file (1/\(count) … \(count)/\(count)), e.g. evalguard merge \(ResultStore.shardDirectory)/\(result.commit)/*.json"
            )
        }
        if !duplicated.isEmpty {
            throw Self.refuse(
                "duplicated: \(duplicated.count) case(s) are in more than one shard: \(Self.list(duplicated))")
        }
        if !unknown.isEmpty {
            throw Self.refuse(
                "mismatched shards: \(unknown.count) case(s) are in no case file of \(Self.describe(subject, result)): \(Self.list(unknown))"
            )
        }
        var whole = result
        whole.suites = merged
        whole.overall = Metrics(suites: merged)
        whole.createdAt = files.map(\.shard.result.createdAt).max() ?? result.createdAt
        try store.ensureWritable()
        try store.save(whole)
        return whole
    }

    /// Reuse as one run would record it: cases asked in case order, the rest summed, the
    /// commits answers came from in the order their cases come.
    static func merged(_ parts: [SuiteReuse], cases: [CaseResult], ids: [String]) -> SuiteReuse {
        var reuse = SuiteReuse()
        let ran = Set(parts.flatMap(\.ran))
        reuse.ran = ids.filter(ran.contains)
        reuse.reused = parts.reduce(0) { $0 + $1.reused }
        reuse.rescored = parts.reduce(0) { $0 + $1.rescored }
        reuse.repriced = parts.reduce(0) { $0 + $1.repriced }
        for commit in cases.compactMap(\.reusedFrom) + parts.flatMap(\.from) where !reuse.from.contains(commit) {
            reuse.from.append(commit)
        }
        reuse.wholeSuite = parts.allSatisfy(\.wholeSuite)
        return reuse
    }

    /// The fields every share of one evaluation holds alike.
    static func sameEvaluation(_ a: ShardFile, _ b: ShardFile) throws {
        let (x, y) = (a.shard.result, b.shard.result)
        let checks: [(String, Bool)] = [
            ("commit", x.commit == y.commit), ("evaluation key", x.key == y.key),
            ("dirty state", x.dirty == y.dirty && x.dirtyPaths == y.dirtyPaths),
            ("runs per case", x.repeats == y.repeats), ("configuration", x.configDigest == y.configDigest),
            ("evalguard version", x.evalguardVersion == y.evalguardVersion), ("model", x.model == y.model),
            ("suites", x.suites.map(\.name) == y.suites.map(\.name)),
            (
                "suite keys",
                x.suites.map(\.key) == y.suites.map(\.key)
                    && x.suites.map(\.modelFingerprint) == y.suites.map(\.modelFingerprint)
            ),
        ]
        if let (what, _) = checks.first(where: { !$0.1 }) {
            throw refuse(
                "mismatched shards: \(a.path) and \(b.path) differ in their \(what) (\(a.shard.commit.prefix(7)) vs \(b.shard.commit.prefix(7)))",
                hint: "Every share must be evaluated from the same commit with the same evalguard version and settings."
            )
        }
    }

    static func describe(_ subject: EvaluationSubject, _ result: RunResult) -> String {
        if case .commit(let sha) = subject { return "commit \(sha.prefix(7))" }
        return "the working tree (HEAD \(result.commit.prefix(7)) with changes)"
    }

    static func list(_ items: [String]) -> String {
        items.prefix(5).joined(separator: ", ") + (items.count > 5 ? " and \(items.count - 5) more" : "")
    }

    static func refuse(_ message: String, hint: String? = nil) -> EvalGuardError {
        EvalGuardError("cannot merge: " + message, hint: hint, category: .input)
    }
}
