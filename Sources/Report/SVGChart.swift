import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A line chart drawn as inline SVG: one point per commit (oldest on the left), an optional band
/// (the Wilson interval around accuracy), dashed marks where the baseline changed, the current
/// commit ringed and labelled, a y axis with round ticks, and a `<title>` on every point naming
/// the commit and the value, which browsers show on hover. Nothing is fetched or scripted.
package struct SVGChart {
    package struct Point {
        /// Position on the x axis: the commit's index in the history, oldest 0.
        package var index: Int
        package var value: Double
        /// The band around the value, when there is one.
        package var low: Double?
        package var high: Double?
        /// The hover text (escaped when drawn).
        package var title: String

        package init(index: Int, value: Double, low: Double? = nil, high: Double? = nil, title: String) {
            self.index = index
            self.value = value
            self.low = low
            self.high = high
            self.title = title
        }
    }

    package var title: String
    package var points: [Point]
    /// How many commits the x axis spans (points may be fewer: commits without a figure).
    package var count: Int
    /// Indices where `.evals/baseline.json` changed, with their hover text.
    package var marks: [(index: Int, title: String)] = []
    /// The index of the current commit, ringed.
    package var current: Int?
    /// Labels under the x axis at a few indices (short shas).
    package var xLabels: [(index: Int, text: String)] = []
    /// Bounds the axis may not leave (accuracy lives in [0, 1]).
    package var clamp: ClosedRange<Double>?

    static let width = 640.0, height = 220.0
    static let left = 58.0, right = 14.0, top = 14.0, bottom = 30.0
    /// Hover markers per chart at most: about one per two pixels of the plot's width.
    static let maxMarkers = 280

    package init(title: String, points: [Point], count: Int, clamp: ClosedRange<Double>? = nil) {
        self.title = title
        self.points = points
        self.count = count
        self.clamp = clamp
    }

    func x(_ index: Int) -> Double {
        let span = Self.width - Self.left - Self.right
        return count <= 1 ? Self.left + span / 2 : Self.left + span * Double(index) / Double(count - 1)
    }

    /// The y range: the data's, with some room, rounded out to ticks, and the decimals a tick
    /// label needs.
    func axis() -> (low: Double, high: Double, ticks: [Double], decimals: Int) {
        let values = points.flatMap { [$0.value] + [$0.low, $0.high].compactMap { $0 } }
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if high - low < 1e-12 {
            let pad = max(abs(high) * 0.05, 1e-6)
            low -= pad
            high += pad
        }
        let step = Self.niceStep((high - low) / 4)
        low = (low / step).rounded(.down) * step
        high = (high / step).rounded(.up) * step
        if let clamp {
            low = max(low, clamp.lowerBound)
            high = min(high, clamp.upperBound)
        }
        if high <= low { high = low + step }
        let ticks = stride(from: (low / step).rounded(.up) * step, through: high + step * 1e-9, by: step).map { $0 }
        return (low, high, ticks, Self.decimals(step))
    }

    /// The decimals that tell ticks `step` apart (1, 2 or 5 times 10^k needs -k of them): a label
    /// with fewer would repeat its neighbour's (0.03, 0.03, 0.03 for a step of 0.0005), one with
    /// more would show the float noise of the stride (0.30000000000000004).
    static func decimals(_ step: Double) -> Int {
        max(0, -Int((log10(step) + 1e-9).rounded(.down)))
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * power >= raw { return m * power }
        return 10 * power
    }

    static func n(_ v: Double) -> String { String(cFormat: "%.1f", v) }

    package func render() -> String {
        let (low, high, ticks, decimals) = axis()
        let plotBottom = Self.height - Self.bottom
        func y(_ v: Double) -> Double { plotBottom - (plotBottom - Self.top) * (v - low) / (high - low) }
        var svg =
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" "
            + "width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<title>" + HTML.escape(title) + "</title>"
        for t in ticks {
            let ty = Self.n(y(t))
            svg +=
                "<line class=\"grid\" x1=\"\(Self.left)\" x2=\"\(Self.width - Self.right)\" y1=\"\(ty)\" y2=\"\(ty)\"/>"
            svg +=
                "<text x=\"\(Self.left - 6)\" y=\"\(ty)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Format.number(t, digits: decimals))</text>"
        }
        svg += "<line class=\"axis\" x1=\"\(Self.left)\" x2=\"\(Self.left)\" y1=\"\(Self.top)\" y2=\"\(plotBottom)\"/>"
        svg +=
            "<line class=\"axis\" x1=\"\(Self.left)\" x2=\"\(Self.width - Self.right)\" y1=\"\(plotBottom)\" y2=\"\(plotBottom)\"/>"
        for label in xLabels {
            // The end labels lean inwards, so they stay inside the drawing.
            let anchor =
                count > 1 && label.index == 0 ? "start" : count > 1 && label.index == count - 1 ? "end" : "middle"
            svg +=
                "<text x=\"\(Self.n(x(label.index)))\" y=\"\(plotBottom + 16)\" text-anchor=\"\(anchor)\">\(HTML.escape(label.text))</text>"
        }
        for mark in marks {
            let mx = Self.n(x(mark.index))
            svg +=
                "<line class=\"baseline-mark\" x1=\"\(mx)\" x2=\"\(mx)\" y1=\"\(Self.top)\" y2=\"\(plotBottom)\"><title>\(HTML.escape(mark.title))</title></line>"
        }
        // Runs of consecutive commits with a figure: the line and band break where one is missing.
        var runs: [[Point]] = []
        for p in points.sorted(by: { $0.index < $1.index }) {
            if let last = runs.last?.last, last.index == p.index - 1 {
                runs[runs.count - 1].append(p)
            } else {
                runs.append([p])
            }
        }
        for run in runs {
            let bands = run.compactMap { p in
                p.low.flatMap { low in p.high.map { (index: p.index, low: low, high: $0) } }
            }
            if bands.count == run.count, !run.isEmpty {
                let upper = bands.map { "\(Self.n(x($0.index))),\(Self.n(y($0.high)))" }
                let lower = bands.reversed().map { "\(Self.n(x($0.index))),\(Self.n(y($0.low)))" }
                svg += "<polygon class=\"band\" points=\"\((upper + lower).joined(separator: " "))\"/>"
            }
            if run.count > 1 {
                svg +=
                    "<polyline class=\"series\" points=\""
                    + run.map { "\(Self.n(x($0.index))),\(Self.n(y($0.value)))" }.joined(separator: " ") + "\"/>"
            }
        }
        // One hover marker per point, up to `maxMarkers`; beyond that a point is narrower than a
        // pixel, so neighbours share a marker whose title lists each of them (the line keeps them all).
        let ordered = points.sorted { $0.index < $1.index }
        let perMarker = max(1, (ordered.count + Self.maxMarkers - 1) / Self.maxMarkers)
        let radius = perMarker > 1 || count > 200 ? 1.8 : 2.8
        var currentMarker = ""
        for start in stride(from: 0, to: ordered.count, by: perMarker) {
            let group = ordered[start..<min(start + perMarker, ordered.count)]
            if let now = group.first(where: { $0.index == current }) {
                currentMarker =
                    "<circle class=\"now\" cx=\"\(Self.n(x(now.index)))\" cy=\"\(Self.n(y(now.value)))\" r=\"5\">"
                    + "<title>\(HTML.escape(now.title))</title></circle>"
            }
            let rest = group.filter { $0.index != current }
            guard let shown = rest.last else { continue }
            svg +=
                "<circle class=\"pt\" cx=\"\(Self.n(x(shown.index)))\" cy=\"\(Self.n(y(shown.value)))\" r=\"\(radius)\">"
                + "<title>\(HTML.escape(rest.map(\.title).joined(separator: "\n")))</title></circle>"
        }
        // The current commit's ring last, so no neighbour covers it.
        svg += currentMarker
        if let current, let p = points.first(where: { $0.index == current }) {
            let anchor = x(current) > Self.width - 80 ? "end" : "start"
            svg +=
                "<text class=\"now-label\" x=\"\(Self.n(x(current) + (anchor == "end" ? -8 : 8)))\" y=\"\(Self.n(max(Self.top + 8, y(p.value) - 8)))\" text-anchor=\"\(anchor)\">current</text>"
        }
        return svg + "</svg>"
    }
}
