import EvalGuardTestSupport
import Foundation
import Testing

@testable import EvalGuardReport

/// The y axis of the report's charts: round ticks whose labels differ.
@Suite struct SVGChartTickTests {
    static func labels(_ values: [Double], clamp: ClosedRange<Double>? = nil) -> [String] {
        let points = values.enumerated().map {
            SVGChart.Point(index: $0.offset, value: $0.element, title: "p\($0.offset)")
        }
        let chart = SVGChart(title: "t", points: points, count: values.count, clamp: clamp)
        let svg = chart.render()
        let pattern = try! NSRegularExpression(pattern: "dominant-baseline=\"middle\">([^<]*)</text>")
        return pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map {
            String(svg[Range($0.range(at: 1), in: svg)!])
        }
    }

    @Test func tickLabelsAreDistinct() {
        for values in [
            [0.0301, 0.0304, 0.0302], [0.031, 0.034], [1200.5, 1200.9], [0.5, 0.9], [0.000012, 0.000019], [7, 7],
        ] {
            let labels = Self.labels(values)
            #expect(labels.count >= 2, "\(values): \(labels)")
            #expect(Set(labels).count == labels.count, "\(values): \(labels)")
        }
        // Steps of 0.0005 need four decimals, and no float noise (0.30000000000000004).
        #expect(Self.labels([0.3001, 0.3019]).allSatisfy { $0.count <= 6 }, "\(Self.labels([0.3001, 0.3019]))")
    }
}
