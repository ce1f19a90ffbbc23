import EvalGuardGit
import EvalGuardSupport
import FoundationEssentials

/// Results of `compare`'s variants: `.evals/results/variants/<evaluation key>.json`. A variant's
/// answers are not any commit's result, so they never go to the commit's file, the key index or
/// the notes; they are a source of answers for the next `compare` (whole, by the key; case by
/// case, through the last result of the variant's name) and of `compare --adopt`'s baseline.
extension ResultStore {
    package static let variantsDirectory = directory + "/variants"

    package func variantDisplayPath(key: String) -> String { Self.variantsDirectory + "/\(key).json" }
    func variantPath(key: String) -> String { root + "/" + variantDisplayPath(key: key) }
    /// Which key the variant of this name was last evaluated with (names may hold any character,
    /// so the file is named by the name's blob id).
    func variantNamePath(_ name: String) -> String {
        root + "/" + Self.variantsDirectory + "/names/" + GitHash.blobID(of: name)
    }

    /// The stored result of a variant evaluated with exactly this key (and runs per case).
    package func variant(key: String, repeats: Int) -> RunResult? {
        FileManager.default.contents(atPath: variantPath(key: key))
            .flatMap { Self.decode($0, source: variantDisplayPath(key: key)) }
            .flatMap { $0.key == key && ($0.repeats ?? 1) == repeats ? $0 : nil }
    }

    /// The result the variant of this name was last evaluated to, whatever its key.
    package func variant(named name: String) -> RunResult? {
        guard let pointer = FileManager.default.contents(atPath: variantNamePath(name)) else { return nil }
        let key = String(decoding: pointer, as: UTF8.self).trimmingWhitespaceAndNewlines()
        guard RunResult.isObjectID(key) else { return nil }
        return FileManager.default.contents(atPath: variantPath(key: key)).flatMap {
            Self.decode($0, source: variantDisplayPath(key: key))
        }
    }

    /// Stores a variant's result under its key, and the key under its name.
    package func saveVariant(_ result: RunResult, name: String) throws {
        try AtomicFile.write(to: variantPath(key: result.key)) { sink in
            try Self.writeJSON(result, pretty: false, newline: true, to: sink)
        }
        try AtomicFile.write(result.key + "\n", to: variantNamePath(name))
    }
}
