import EvalGuardSupport

/// `{"type": "judge", ...}`: a model grades the answer against a rubric.
///
/// The judge is one of the top-level `models` (openai-compatible or command); it receives the
/// rendered judge prompt as its `{{input}}`, reasons, and ends its reply with a grade line.
package struct JudgeSettings: Sendable, Equatable {
    /// Inline text, or a file from the repository root (`{"file": "evals/rubric.md"}`).
    package enum Text: Sendable, Equatable {
        case inline(String)
        case file(String)

        package var file: String? { if case .file(let path) = self { path } else { nil } }
    }

    /// The grades the judge may give, and which of them pass.
    package enum Grades: Sendable, Equatable {
        /// Labels; `passing` is the subset that passes. Matched without regard to case.
        case labels([String], passing: [String])
        /// A numeric scale from `min` to `max`; a grade at or above `passScore` passes, and the
        /// case's score is the grade's place on the scale, in [0, 1].
        case scale(min: Double, max: Double, passScore: Double)

        package static let passFail = Grades.labels(["pass", "fail"], passing: ["pass"])

        /// As the judge prompt and the fingerprint show it.
        package var described: String {
            switch self {
            case .labels(let all, _): all.joined(separator: ", ")
            case .scale(let lo, let hi, _): "a number from \(JSONWriter.numberText(lo)) to \(JSONWriter.numberText(hi))"
            }
        }

        package var json: JSONValue {
            switch self {
            case .labels(let all, let passing):
                .object(["labels": .array(all.map(JSONValue.string)), "pass": .array(passing.map(JSONValue.string))])
            case .scale(let lo, let hi, let pass):
                .object(["scale": .array([.number(lo), .number(hi)]), "pass_score": .number(pass)])
            }
        }
    }

    package enum Mode: String, Sendable, Equatable {
        /// The answer alone is graded.
        case single
        /// The answer is compared with the baseline's stored answer for the same case, in both
        /// orders; the grades are `A`, `B` and `tie`, and two orders that disagree are a tie.
        case pairwise
    }

    /// The grades of a pairwise judge: which answer is better, or neither.
    package static let pairwiseGrades = Grades.labels(["A", "B", "tie"], passing: [])

    package var rubric: Text
    /// The judge prompt's template; nil: `JudgePrompt.defaultTemplate`.
    package var template: Text?
    /// The name of the judge in `models`.
    package var judge: String
    package var grades: Grades
    /// Odd: the judge is asked this many times and the majority wins.
    package var samples: Int
    package var mode: Mode
    /// `kappa_floor`: below this Cohen's κ against the cases' human verdicts, `check` says the
    /// judge agrees poorly.
    package var kappaFloor: Double

    package static let defaultKappaFloor = 0.6
    static let keys = [
        "type", "rubric", "template", "judge", "grades", "pass", "pass_score", "samples", "mode", "kappa_floor",
    ]

    init(node: ConfigNode) throws {
        let members = try node.object(allowed: Self.keys)
        guard let rubricNode = members["rubric"] else {
            throw node.error(
                "a judge scorer needs \"rubric\": what a good answer does, as text or {\"file\": \"<path from the repository root>\"}"
            )
        }
        rubric = try Self.text(rubricNode)
        template = try members["template"].map(Self.text)
        guard let judgeNode = members["judge"] else {
            throw node.error(
                "a judge scorer needs \"judge\": the name of a model in \"models\" that grades the answers")
        }
        judge = try judgeNode.string()
        samples = 1
        if let s = members["samples"] {
            samples = try s.positiveInt()
            guard samples % 2 == 1 else {
                throw s.error("\"samples\" must be odd, so that a majority always exists; found \(samples)")
            }
        }
        mode = .single
        if let m = members["mode"] {
            let text = try m.string()
            guard let parsed = Mode(rawValue: text) else {
                throw m.error("unknown judge mode '\(text)'", hint: "Modes: single, pairwise.")
            }
            mode = parsed
        }
        if mode == .pairwise {
            if let g = members["grades"] ?? members["pass"] ?? members["pass_score"] {
                throw g.error("a pairwise judge's grades are fixed: A, B or tie (which answer is better)")
            }
            grades = Self.pairwiseGrades
        } else {
            grades = try Self.grades(members, node: node)
        }
        kappaFloor = try members["kappa_floor"]?.number(in: -1...1) ?? Self.defaultKappaFloor
    }

    private static func text(_ node: ConfigNode) throws -> Text {
        guard case .object = node.value else { return .inline(try node.string()) }
        let members = try node.object(allowed: ["file"])
        guard let fileNode = members["file"] else {
            throw node.error("expected text or {\"file\": \"<path from the repository root>\"}")
        }
        let path = try fileNode.string()
        guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
            throw fileNode.error("the file must be a path inside the repository, from its root")
        }
        return .file(path)
    }

    private static func grades(_ members: [String: ConfigNode], node: ConfigNode) throws -> Grades {
        guard let g = members["grades"] else {
            if let extra = members["pass"] ?? members["pass_score"] {
                throw extra.error("\"pass\" and \"pass_score\" go with \"grades\"")
            }
            return .passFail
        }
        guard case .array(let items) = g.value, !items.isEmpty else {
            throw g.error(
                "expected a list of grade labels ([\"good\", \"poor\"] with \"pass\": [\"good\"]) or a numeric scale ([1, 5] with \"pass_score\": 4)"
            )
        }
        if items.allSatisfy({ $0.numberValue != nil }) {
            guard items.count == 2, let lo = items[0].numberValue, let hi = items[1].numberValue, lo < hi else {
                throw g.error("a numeric scale is [lowest, highest], for example [1, 5]")
            }
            guard let p = members["pass_score"] else {
                throw g.error("a numeric scale needs \"pass_score\": the lowest grade that passes")
            }
            if let extra = members["pass"] {
                throw extra.error("\"pass\" lists passing labels; a numeric scale takes \"pass_score\"")
            }
            return .scale(min: lo, max: hi, passScore: try p.number(in: lo...hi))
        }
        let labels = try g.strings()
        guard labels.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            throw g.error("grade labels are single words, so the judge's grade line can be read back")
        }
        guard Set(labels.map { $0.lowercased() }).count == labels.count else {
            throw g.error("grade labels must differ (case is ignored)")
        }
        if let extra = members["pass_score"] {
            throw extra.error("\"pass_score\" goes with a numeric scale; labels take \"pass\"")
        }
        let passing: [String]
        if let p = members["pass"] {
            passing = try p.strings()
            let known = Set(labels.map { $0.lowercased() })
            if let unknown = passing.first(where: { !known.contains($0.lowercased()) }) {
                throw p.error("'\(unknown)' is not one of the grades (\(labels.joined(separator: ", ")))")
            }
        } else if labels.contains(where: { $0.lowercased() == "pass" }) {
            passing = ["pass"]
        } else {
            throw g.error("say which grades pass", hint: "Add \"pass\": [\"\(labels[0])\"] beside \"grades\".")
        }
        return .labels(labels, passing: passing)
    }

    /// Files the scorer reads, from the repository root.
    package var files: [String] { [rubric.file, template?.file].compactMap { $0 } }
}

extension ModelConfig {
    /// The model as a judge calls it: deterministic unless its settings say otherwise
    /// (an HTTP judge gets temperature 0 when unset, and an openai one seed 0).
    package var asJudge: ModelConfig {
        guard var openAI, case .object(var members) = node.value else { return self }
        var copy = self
        let temperature = openAI.temperature ?? 0
        openAI.temperature = temperature
        members["temperature"] = .number(temperature)
        // The Messages API has no seed.
        if openAI.api == .openAI {
            let seed = openAI.seed ?? 0
            openAI.seed = seed
            members["seed"] = .number(Double(seed))
        }
        copy.openAI = openAI
        copy.node = ConfigNode(value: .object(members), path: node.path, source: node.source)
        return copy
    }
}
