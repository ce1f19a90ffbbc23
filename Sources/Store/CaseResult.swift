import EvalGuardConfig
import EvalGuardSupport

/// The outcome of one case in a run.
///
/// A run holds one per case until its result is written, so the layout is compact (see
/// `CaseResultLayoutTests`): the three blob ids are 20 raw bytes each in place (`ObjectID`),
/// the optional flags are bits, and the fields a plain case leaves unset (repeats, retries,
/// errors, reasons, reuse, settling) live in one shared, copy-on-write `Extras` box that a
/// plain case does not allocate. The properties read and write as plain stored fields would,
/// and the JSON (`CaseResult+Codable.swift`, `RunResult+JSON.swift`) is what it always was.
package struct CaseResult: Sendable, Equatable {
    package var id: String
    /// The output's canonical JSON text: whole up to `outputCap` characters, else its first
    /// `outputLimit` characters and "…" (with `outputTruncated`).
    package var output: String?
    package var usage: [String: Double]?
    /// Answered through a batch API (its usage says so: `PriceTable.batchUsageKey`).
    package var isBatched: Bool { usage?[PriceTable.batchUsageKey] == 1 }
    /// The rarely set fields; nil for a plain case (internal for the layout tests).
    var extras: ExtrasBox?
    package var score: Double
    package var latencyMs: Double
    private var cost: Double = 0
    private var digests = Digests()
    private var flags: Flags = []

    package static let outputLimit = 500
    package static let outputCap = 4096

    package init(
        id: String, passed: Bool, score: Double, latencyMs: Double, costUSD: Double? = nil,
        usage: [String: Double]? = nil, error: String? = nil, timedOut: Bool? = nil, coldStart: Bool? = nil,
        outputDigest: String? = nil, output: String? = nil, runs: Int? = nil, passes: Int? = nil,
        latenciesMs: [Double]? = nil, retries: Int? = nil, retryMs: Double? = nil
    ) {
        self.id = id
        self.score = score
        self.latencyMs = latencyMs
        self.usage = usage
        self.output = output
        self.passed = passed
        self.costUSD = costUSD
        self.error = error
        self.timedOut = timedOut
        self.coldStart = coldStart
        self.outputDigest = outputDigest
        self.runs = runs
        self.passes = passes
        self.latenciesMs = latenciesMs
        self.retries = retries
        self.retryMs = retryMs
    }

    package var passed: Bool {
        get { flags.contains(.passed) }
        set { flags.set(.passed, newValue) }
    }
    package var costUSD: Double? {
        get { flags.contains(.hasCost) ? cost : nil }
        set {
            cost = newValue ?? 0
            flags.set(.hasCost, newValue != nil)
        }
    }
    package var timedOut: Bool? {
        get { flags.optional(.timedOut, .timedOutValue) }
        set { flags.setOptional(newValue, .timedOut, .timedOutValue) }
    }
    /// The first request of a model process: its latency includes start-up, so it is kept out
    /// of the latency percentiles.
    package var coldStart: Bool? {
        get { flags.optional(.coldStart, .coldStartValue) }
        set { flags.setOptional(newValue, .coldStart, .coldStartValue) }
    }
    /// `output` holds the output's canonical JSON text whole up to `outputCap` characters, so a
    /// reused case can be re-scored with a new scorer or expected answer; beyond it only the
    /// first `outputLimit` characters (for reports) and `outputTruncated`, and the case re-runs
    /// when its scoring changes.
    package var outputTruncated: Bool? {
        get { flags.optional(.outputTruncated, .outputTruncatedValue) }
        set { flags.setOptional(newValue, .outputTruncated, .outputTruncatedValue) }
    }

    /// Git blob id of the output's canonical JSON text (`git hash-object` reproduces it).
    package var outputDigest: String? {
        get { digestText(.outputDigest, \.outputDigestText) }
        set { setDigest(newValue, .outputDigest, \.outputDigestText) }
    }
    /// Blob id of the case's `input` (canonical JSON): with the suite's model fingerprint, what
    /// its answer depends on.
    package var inputDigest: String? {
        get { digestText(.inputDigest, \.inputDigestText) }
        set { setDigest(newValue, .inputDigest, \.inputDigestText) }
    }
    /// Blob id of the scorer setting and the expected answer the case was scored with.
    package var scoringDigest: String? {
        get { digestText(.scoringDigest, \.scoringDigestText) }
        set { setDigest(newValue, .scoringDigest, \.scoringDigestText) }
    }
    /// The digests as raw bytes, without a text form (nil when unset or not a lowercase blob id).
    package var outputBlob: ObjectID? {
        get { flags.contains(.outputDigest) ? digests[.outputDigest] : nil }
        set { setDigest(newValue, .outputDigest, \.outputDigestText) }
    }
    package var inputBlob: ObjectID? {
        get { flags.contains(.inputDigest) ? digests[.inputDigest] : nil }
        set { setDigest(newValue, .inputDigest, \.inputDigestText) }
    }
    package var scoringBlob: ObjectID? {
        get { flags.contains(.scoringDigest) ? digests[.scoringDigest] : nil }
        set { setDigest(newValue, .scoringDigest, \.scoringDigestText) }
    }

    package var error: String? {
        get { extras?.value.error }
        set { self[extra: \.error] = newValue }
    }
    /// Why the scorer failed the answer, when it says (the json-schema scorer's first violation):
    /// model-derived text, escaped wherever it is shown.
    package var reason: String? {
        get { extras?.value.reason }
        set { self[extra: \.reason] = newValue }
    }
    /// With `repeat`: how many times the case ran and how many of those runs passed; `passed`
    /// is then "at least half passed" and `latencyMs` the median of `latenciesMs`, the warm
    /// answered runs' latencies. All nil for a case run once.
    package var runs: Int? {
        get { extras?.value.runs }
        set { self[extra: \.runs] = newValue }
    }
    package var passes: Int? {
        get { extras?.value.passes }
        set { self[extra: \.passes] = newValue }
    }
    package var latenciesMs: [Double]? {
        get { extras?.value.latenciesMs }
        set { self[extra: \.latenciesMs] = newValue }
    }
    /// With `repeat`: the distinct outputs of the runs and how many runs gave each, so that a
    /// repeated case can be re-scored without the model. Nil when a run failed or an output
    /// was beyond `outputCap` (the case then runs again when its scoring changes).
    package var runOutputs: [RunOutput]? {
        get { extras?.value.runOutputs }
        set { self[extra: \.runOutputs] = newValue }
    }
    /// Retried attempts and the time they took (see `ModelResponse.retryMs`); nil when none.
    package var retries: Int? {
        get { extras?.value.retries }
        set { self[extra: \.retries] = newValue }
    }
    package var retryMs: Double? {
        get { extras?.value.retryMs }
        set { self[extra: \.retryMs] = newValue }
    }
    /// When the retry window began, in milliseconds since the run's first request: with
    /// `retryMs`, the interval `Metrics` merges with the other cases' (nil in older results).
    package var retryFromMs: Double? {
        get { extras?.value.retryFromMs }
        set { self[extra: \.retryFromMs] = newValue }
    }

    /// A case that made several requests (an agent loop): each one's latency, in order;
    /// `latencyMs` is their sum.
    package var requestLatenciesMs: [Double]? {
        get { extras?.value.requestLatenciesMs }
        set { self[extra: \.requestLatenciesMs] = newValue }
    }
    /// For a case taken from a stored result instead of asking the model: that result's commit.
    package var reusedFrom: String? {
        get { extras?.value.reusedFrom }
        set { self[extra: \.reusedFrom] = newValue }
    }
    /// How many of `runs` and `passes` were asked again to settle an inconclusive verdict (see
    /// `CaseResult+Settling.swift`); nil when the case was not re-asked.
    package var settledRuns: Int? {
        get { extras?.value.settledRuns }
        set { self[extra: \.settledRuns] = newValue }
    }
    package var settledPasses: Int? {
        get { extras?.value.settledPasses }
        set { self[extra: \.settledPasses] = newValue }
    }
    /// How many tool calls and agent steps the output made (the entries of its `tool_calls` and
    /// `steps`), counted from the whole output when it was scored, so they outlast reuse and the
    /// output's cut at `outputCap`; nil for none.
    package var toolCallCount: Int? {
        get { extras?.value.toolCallCount }
        set { self[extra: \.toolCallCount] = newValue }
    }
    package var stepCount: Int? {
        get { extras?.value.stepCount }
        set { self[extra: \.stepCount] = newValue }
    }

    /// Share of the case's runs that passed: 0 or 1 for a case run once.
    package var passRate: Double { runs.map { Double(passes ?? 0) / Double($0) } ?? (passed ? 1 : 0) }
    package var runCount: Int { runs ?? 1 }
    package var passCount: Int { runs == nil ? (passed ? 1 : 0) : passes ?? 0 }
    /// Outcomes that disagree across repeats.
    package var isFlaky: Bool {
        let r = passRate
        return r > 0 && r < 1
    }

    package static func == (a: CaseResult, b: CaseResult) -> Bool {
        a.id == b.id && a.output == b.output && a.usage == b.usage && a.score == b.score && a.latencyMs == b.latencyMs
            && a.flags.subtracting(.digests) == b.flags.subtracting(.digests)
            && (!a.flags.contains(.hasCost) || a.cost == b.cost)
            && a.inputDigest == b.inputDigest && a.scoringDigest == b.scoringDigest && a.outputDigest == b.outputDigest
            && (a.extras?.value ?? Extras()) == (b.extras?.value ?? Extras())
    }

    // MARK: storage

    /// A digest's text: from the raw bytes, or the text kept as it was when it was not a
    /// lowercase blob id (an older or hand-made result), so that it reads back unchanged.
    /// The first digest held as text, by its JSON name: only a digest that is not a lowercase
    /// blob id is kept so, so a sound stored case has none (see `storedProblem`).
    var textDigest: (name: String, text: String)? {
        guard let e = extras?.value else { return nil }
        if let t = e.inputDigestText { return ("input_digest", t) }
        if let t = e.scoringDigestText { return ("scoring_digest", t) }
        return e.outputDigestText.map { ("output_digest", $0) }
    }

    private func digestText(_ flag: Flags, _ text: KeyPath<Extras, String?>) -> String? {
        flags.contains(flag) ? digests[flag].hex : extras?.value[keyPath: text]
    }

    private mutating func setDigest(_ text: String?, _ flag: Flags, _ textPath: WritableKeyPath<Extras, String?>) {
        if let text, let raw = ObjectID(hex: text) {
            setDigest(raw, flag, textPath)
        } else {
            setDigest(nil as ObjectID?, flag, textPath)
            self[extra: textPath] = text
        }
    }

    private mutating func setDigest(_ raw: ObjectID?, _ flag: Flags, _ textPath: WritableKeyPath<Extras, String?>) {
        digests[flag] = raw ?? .zero
        flags.set(flag, raw != nil)
        if extras != nil { self[extra: textPath] = nil }
    }

    /// The three digests' bytes in place: 60 bytes, alignment 4.
    private struct Digests: Sendable {
        var input = ObjectID.zero, scoring = ObjectID.zero, output = ObjectID.zero

        subscript(flag: Flags) -> ObjectID {
            get { flag == .inputDigest ? input : flag == .scoringDigest ? scoring : output }
            set {
                if flag == .inputDigest {
                    input = newValue
                } else if flag == .scoringDigest {
                    scoring = newValue
                } else {
                    output = newValue
                }
            }
        }
    }

    /// A rarely set field, in the shared box: copied before a write when shared, dropped when
    /// it holds nothing.
    private subscript<T>(extra path: WritableKeyPath<Extras, T?>) -> T? {
        get { extras?.value[keyPath: path] }
        set {
            if extras == nil {
                guard newValue != nil else { return }
                extras = ExtrasBox(Extras())
            } else if !isKnownUniquelyReferenced(&extras) {
                extras = ExtrasBox(extras!.value)
            }
            // `extras` is not nil here: the branches above set it when it was.
            extras!.value[keyPath: path] = newValue
            if newValue == nil, extras!.value == Extras() { extras = nil }
        }
    }

    private struct Flags: OptionSet, Sendable {
        let rawValue: UInt16
        static let passed = Flags(rawValue: 1 << 0)
        static let hasCost = Flags(rawValue: 1 << 1)
        static let timedOut = Flags(rawValue: 1 << 2), timedOutValue = Flags(rawValue: 1 << 3)
        static let coldStart = Flags(rawValue: 1 << 4), coldStartValue = Flags(rawValue: 1 << 5)
        static let outputTruncated = Flags(rawValue: 1 << 6), outputTruncatedValue = Flags(rawValue: 1 << 7)
        static let inputDigest = Flags(rawValue: 1 << 8), scoringDigest = Flags(rawValue: 1 << 9),
            outputDigest = Flags(rawValue: 1 << 10)
        static let digests: Flags = [.inputDigest, .scoringDigest, .outputDigest]

        mutating func set(_ flag: Flags, _ on: Bool) { if on { insert(flag) } else { remove(flag) } }
        func optional(_ present: Flags, _ value: Flags) -> Bool? { contains(present) ? contains(value) : nil }
        mutating func setOptional(_ v: Bool?, _ present: Flags, _ value: Flags) {
            set(present, v != nil)
            set(value, v == true)
        }
    }

    /// The fields a plain case leaves unset.
    struct Extras: Equatable, Sendable {
        var error: String?
        var reason: String?
        var runs: Int?
        var passes: Int?
        var latenciesMs: [Double]?
        var runOutputs: [RunOutput]?
        var retries: Int?
        var retryMs: Double?
        var retryFromMs: Double?
        var requestLatenciesMs: [Double]?
        var reusedFrom: String?
        var settledRuns: Int?
        var settledPasses: Int?
        var toolCallCount: Int?
        var stepCount: Int?
        /// Digests that are not lowercase blob ids, kept as text.
        var inputDigestText: String?
        var scoringDigestText: String?
        var outputDigestText: String?
    }

    /// The box `Extras` live in, shared between copies of a `CaseResult` and written only
    /// through `CaseResult[extra:]` when uniquely referenced, hence `@unchecked Sendable`.
    final class ExtrasBox: @unchecked Sendable {
        var value: Extras
        init(_ value: Extras) { self.value = value }
    }
}
