import EvalGuardGit
import EvalGuardHistory
import EvalGuardSupport

/// The commits of a blame range, oldest first: the good end at 0, the bad end at `last`. A
/// commit's entry (its `.evals` blobs) and evaluation key are read when first asked for, once
/// each: with results stored, the search settles most of a long range from them without reading
/// the keys of the commits it never probes (`Blame.narrow`).
///
/// With a suite (`blame --suite`), `key` is that suite's (`HistoryIndex.key(of:suite:)`): it
/// decides which commits differ; the whole commit's evaluation key still finds stored results
/// (`Blame.storedSource`).
final class KeyedRange {
    let index: HistoryIndex
    let ids: [ObjectID]
    let suite: String?
    /// Each commit's key once read: nil inside when its configuration cannot be read.
    private var keys: [String??]
    /// Whether each commit may have a result of its own, once asked: 0 not asked, 1 yes, 2 no.
    private var own: [UInt8]

    init(index: HistoryIndex, ids: [ObjectID], suite: String? = nil) {
        precondition(ids.count >= 2, "a range has a good and a bad end")
        self.index = index
        self.ids = ids
        self.suite = suite
        keys = Array(repeating: nil, count: ids.count)
        own = Array(repeating: 0, count: ids.count)
    }

    /// The bad end's position; also the number of commits in range (the good end is not one).
    var last: Int { ids.count - 1 }

    func entry(_ i: Int) throws -> HistoryIndex.Entry { try index.entry(ids[i]) }

    /// The commit's key (the suite's, with one), nil when its configuration cannot be read.
    func key(_ i: Int) throws -> String? {
        if let known = keys[i] { return known }
        let key = index.key(of: try entry(i), suite: suite)
        keys[i] = .some(key)
        return key
    }

    /// The run of consecutive commits that share `i`'s key, from `i` one way (`step` 1: newer,
    /// -1: older), `i` first; `i` alone when its key cannot be read.
    func run(from i: Int, step: Int) throws -> [Int] {
        guard let key = try key(i) else { return [i] }
        var out = [i]
        var next = i + step
        while next >= 0, next <= last, try self.key(next) == key {
            out.append(next)
            next += step
        }
        return out
    }

    /// The commits from `lo` to `hi` (both included) cut into runs of one key (a commit whose key
    /// cannot be read is a run of its own), reading every key between.
    func segments(_ lo: Int, _ hi: Int) throws -> [Blame.Segment] {
        var out: [Blame.Segment] = []
        for i in lo...hi {
            let key = try key(i)
            let entry = try entry(i)
            if let key, out.last?.key == key {
                out[out.count - 1].commits.append(entry)
            } else {
                out.append(Blame.Segment(key: key, commits: [entry]))
            }
        }
        return out
    }

    /// The commits from `i` on, `i` the new good end (the keys read so far are kept).
    func suffix(from i: Int) -> KeyedRange {
        let rest = KeyedRange(index: index, ids: Array(ids[i...]), suite: suite)
        rest.keys = Array(keys[i...])
        rest.own = Array(own[i...])
        return rest
    }

    /// Whether the commit may have a result of its own (`StoredResults.mayHaveOwnResult`).
    func mayHaveOwnResult(_ i: Int, in stored: StoredResults) -> Bool {
        if own[i] == 0 { own[i] = stored.mayHaveOwnResult(ids[i]) ? 1 : 2 }
        return own[i] == 1
    }

    /// The commit strictly between `lo` and `hi` nearest `middle` (the older on a tie) that may
    /// have a result of its own and is not `excluded`; nil when there is none. Looks outward from
    /// `middle`, so with every result stored it asks about one or two commits.
    func nearestWithOwnResult(
        between lo: Int, and hi: Int, middle: Double, excluding excluded: Set<Int> = [],
        in stored: StoredResults
    ) -> Int? {
        var below = min(Int(middle.rounded(.down)), hi - 1)
        var above = max(below + 1, lo + 1)
        while below > lo || above < hi {
            let takeBelow = below > lo && (above >= hi || middle - Double(below) <= Double(above) - middle)
            let pick = takeBelow ? below : above
            if takeBelow { below -= 1 } else { above += 1 }
            if !excluded.contains(pick), mayHaveOwnResult(pick, in: stored) { return pick }
        }
        return nil
    }
}
