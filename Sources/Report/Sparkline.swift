import EvalGuardSupport

/// A line of block characters showing a series at terminal width: ▁▂▃▄▅▆▇█.
package enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The series (oldest first), averaged into at most `width` columns; a missing value is a space.
    /// A flat series draws at mid height, so "nothing changed" does not read as "at the bottom".
    package static func render(_ values: [Double?], width: Int = 60) -> String {
        guard !values.isEmpty else { return "" }
        let columns = min(width, values.count)
        var buckets: [Double?] = []
        for c in 0..<columns {
            let lo = c * values.count / columns
            let hi = max(lo + 1, (c + 1) * values.count / columns)
            let present = values[lo..<hi].compactMap { $0 }
            buckets.append(present.isEmpty ? nil : present.reduce(0, +) / Double(present.count))
        }
        let known = buckets.compactMap { $0 }
        guard let low = known.min(), let high = known.max() else { return String(repeating: " ", count: columns) }
        return String(
            buckets.map { v -> Character in
                guard let v else { return " " }
                guard high > low else { return blocks[3] }
                return blocks[min(blocks.count - 1, Int((v - low) / (high - low) * Double(blocks.count - 1) + 0.5))]
            })
    }
}
