import EvalGuardConfig
import EvalGuardStatistics
import EvalGuardSupport

/// Aggregate figures for a set of case results (a suite, or every suite).
package struct Metrics: Codable, Sendable, Equatable {
    package var cases: Int
    package var passed: Int
    package var errors: Int
    package var timeouts: Int
    /// passed / cases; errors and time-outs count as failures. With repeats: the mean of the
    /// cases' pass rates (`passed` then counts the cases that passed at least half their runs).
    package var accuracy: Double
    /// Latency over the cases the model answered warm: time-outs and crashes are counted, not
    /// timed, and a process's first answer (which includes its start-up) is left out unless
    /// every answer was a first one.
    package var p50LatencyMs: Double
    package var p95LatencyMs: Double
    package var p99LatencyMs: Double
    package var meanLatencyMs: Double
    /// Total cost, and the average over the cases that report a cost (a suite whose model
    /// reports none, or a case that failed before costing anything, does not dilute the
    /// average: the overall row of a router at $0.000017 and a local classifier at no cost is
    /// $0.000017 per priced case); nil when no case reported a cost.
    package var avgCostUSD: Double?
    package var totalCostUSD: Double?
    /// Retried requests in total, and the wall time lost to them: the length of the union of the
    /// cases' retry windows (from a request's first attempt to the start of the attempt that
    /// counted), so waits that overlap (every slot held back by one Retry-After) count once.
    /// Results written before windows were recorded give the sum of the waits instead. nil when
    /// nothing was retried.
    package var retries: Int?
    package var retryMs: Double?
    /// The mean of the cases' scores (each in [0, 1]); nil when every score is just the case's
    /// pass rate (scorers that only pass or fail), where it would repeat `accuracy`.
    package var meanScore: Double?
    /// An agent's mean steps and tool calls per answered case (see `CaseResult.stepCount`);
    /// nil unless some answer made a call. More steps cost more and take longer.
    package var avgSteps: Double?
    package var avgToolCalls: Double?
    /// Cases answered through a batch API; nil when none was. Latency is not measured then: a
    /// batch's answers come back together hours later, so the percentiles are 0 and say nothing
    /// (`latencyMeasured`), and the latency gate is skipped.
    package var batched: Int?

    /// What reports say of a latency a batch left unmeasured.
    package static let notMeasuredInBatch = "not measured (batch)"

    /// The share of cases answered through a batch API, 0 to 1: the share priced at the batch price.
    package var batchedShare: Double { cases > 0 ? Double(batched ?? 0) / Double(cases) : 0 }

    /// Whether the percentiles and mean are measured (no answer came through a batch).
    package var latencyMeasured: Bool { batched == nil }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case cases, passed, errors, timeouts, accuracy
        case p50LatencyMs = "p50_latency_ms"
        case p95LatencyMs = "p95_latency_ms"
        case p99LatencyMs = "p99_latency_ms"
        case meanLatencyMs = "mean_latency_ms"
        case avgCostUSD = "avg_cost_usd"
        case totalCostUSD = "total_cost_usd"
        case retries
        case retryMs = "retry_ms"
        case meanScore = "mean_score"
        case avgSteps = "avg_steps"
        case avgToolCalls = "avg_tool_calls"
        case batched
    }

    package init(_ results: [CaseResult]) { self.init(of: results) }

    /// The figures of several suites' cases together, read where they are. Not generic, so that
    /// `init(of:)` is specialised here: called from another module it runs unspecialised, through
    /// witness tables, and a 100,000-case result's overall figures cost a tenth of a re-plan.
    package init(suites: [SuiteResult]) { self.init(of: suites.lazy.flatMap(\.cases)) }

    /// The figures of any collection of case results: several suites' cases are read where they
    /// are (`suites.lazy.flatMap(\.cases)`) rather than copied into one array.
    package init(of results: some Collection<CaseResult>) {
        cases = results.count
        passed = results.count { $0.passed }
        timeouts = results.count { $0.timedOut == true }
        errors = results.count { $0.error != nil && $0.timedOut != true }
        accuracy =
            cases == 0
            ? 0
            : results.contains { $0.runs != nil }
                ? results.reduce(0) { $0 + $1.passRate } / Double(cases)
                : Double(passed) / Double(cases)
        if results.contains(where: { abs($0.score - $0.passRate) > 1e-12 }) {
            meanScore = results.reduce(0) { $0 + $1.score } / Double(cases)
        }
        let batchedCount = results.count { $0.isBatched }
        batched = batchedCount > 0 ? batchedCount : nil
        let latencies = Self.timedLatencies(results)
        p50LatencyMs = Quantile.sorted(latencies, 0.50) ?? 0
        p95LatencyMs = Quantile.sorted(latencies, 0.95) ?? 0
        p99LatencyMs = Quantile.sorted(latencies, 0.99) ?? 0
        meanLatencyMs = latencies.isEmpty ? 0 : latencies.reduce(0, +) / Double(latencies.count)
        let costs = results.compactMap(\.costUSD)
        totalCostUSD = costs.isEmpty ? nil : Money.sum(costs)
        avgCostUSD = totalCostUSD.map { $0 / Double(costs.count) }
        let retried = results.compactMap(\.retries).reduce(0, +)
        retries = retried > 0 ? retried : nil
        retryMs = retried > 0 ? Self.retryWallMs(results) : nil
        if results.contains(where: { $0.stepCount != nil || $0.toolCallCount != nil }) {
            let answered = results.filter { $0.error == nil }
            let n = Double(max(answered.count, 1))
            avgSteps = Double(answered.reduce(0) { $0 + ($1.stepCount ?? 0) }) / n
            avgToolCalls = Double(answered.reduce(0) { $0 + ($1.toolCallCount ?? 0) }) / n
        }
    }

    /// The length of the union of the retry windows; the plain sum when a window's start is unknown.
    static func retryWallMs(_ results: some Collection<CaseResult>) -> Double {
        let retried = results.filter { ($0.retryMs ?? 0) > 0 }
        guard retried.allSatisfy({ $0.retryFromMs != nil }) else { return retried.compactMap(\.retryMs).reduce(0, +) }
        let windows = retried.compactMap { r in r.retryFromMs.map { ($0, $0 + (r.retryMs ?? 0)) } }.sorted {
            $0.0 < $1.0
        }
        var total = 0.0
        var current: (Double, Double)?
        for w in windows {
            if let c = current, w.0 <= c.1 {
                current = (c.0, max(c.1, w.1))
            } else {
                if let c = current { total += c.1 - c.0 }
                current = w
            }
        }
        if let c = current { total += c.1 - c.0 }
        return (total * 1000).rounded() / 1000
    }

    /// The figures of several suites together, from each suite's metrics and its sorted timed
    /// latencies (what a baseline keeps): counts add up, accuracy is weighted by cases,
    /// percentiles come from the pooled latencies, and the average cost is over the priced cases
    /// (a suite's count of them is its total cost over its average). Retry time adds up per
    /// suite (windows that overlapped across suites count twice).
    package init(combining suites: [(metrics: Metrics, latenciesMs: [Double])]) {
        self.init([])
        let all = suites.map(\.metrics)
        cases = all.reduce(0) { $0 + $1.cases }
        passed = all.reduce(0) { $0 + $1.passed }
        errors = all.reduce(0) { $0 + $1.errors }
        timeouts = all.reduce(0) { $0 + $1.timeouts }
        accuracy = cases == 0 ? 0 : all.reduce(0) { $0 + $1.accuracy * Double($1.cases) } / Double(cases)
        let batchedCount = all.reduce(0) { $0 + ($1.batched ?? 0) }
        batched = batchedCount > 0 ? batchedCount : nil
        let latencies = batched == nil ? suites.flatMap(\.latenciesMs).sorted() : []
        p50LatencyMs = Quantile.sorted(latencies, 0.50) ?? 0
        p95LatencyMs = Quantile.sorted(latencies, 0.95) ?? 0
        p99LatencyMs = Quantile.sorted(latencies, 0.99) ?? 0
        meanLatencyMs = latencies.isEmpty ? 0 : latencies.reduce(0, +) / Double(latencies.count)
        let priced = all.compactMap { m in m.totalCostUSD.map { (metrics: m, total: $0) } }
        totalCostUSD = priced.isEmpty ? nil : Money.sum(priced.map(\.total))
        let pricedCases = priced.reduce(0.0) { n, p in
            guard let avg = p.metrics.avgCostUSD, avg > 0 else { return n + Double(p.metrics.cases) }
            return n + (p.total / avg).rounded()
        }
        avgCostUSD = totalCostUSD.map { pricedCases > 0 ? $0 / pricedCases : 0 }
        let retried = all.compactMap(\.retries).reduce(0, +)
        retries = retried > 0 ? retried : nil
        retryMs = retried > 0 ? all.compactMap(\.retryMs).reduce(0, +) : nil
        // Over every suite's answered cases (a suite without calls adds its cases at 0), as the
        // figures of all the cases together would be.
        if all.contains(where: { $0.avgSteps != nil || $0.avgToolCalls != nil }) {
            let weight = { (m: Metrics) in Double(max(m.cases - m.errors - m.timeouts, 0)) }
            let answered = max(all.reduce(0.0) { $0 + weight($1) }, 1)
            avgSteps = all.reduce(0.0) { $0 + ($1.avgSteps ?? 0) * weight($1) } / answered
            avgToolCalls = all.reduce(0.0) { $0 + ($1.avgToolCalls ?? 0) * weight($1) } / answered
        }
    }

    /// The latencies that count for percentiles, sorted: every timed run of a repeated case.
    /// None when an answer came through a batch: its suite's latency is not measured.
    package static func timedLatencies(_ results: some Sequence<CaseResult>) -> [Double] {
        guard !results.contains(where: \.isBatched) else { return [] }
        var warm: [Double] = []
        var cold: [Double] = []
        for r in results {
            if let runs = r.latenciesMs {
                if r.coldStart == true { cold += runs } else { warm += runs }
            } else if r.error == nil {
                if r.coldStart == true { cold.append(r.latencyMs) } else { warm.append(r.latencyMs) }
            }
        }
        // Sorted in place: a 100,000-case run would otherwise hold a sorted copy beside the list.
        if warm.isEmpty { swap(&warm, &cold) }
        cold = []
        warm.sort()
        return warm
    }

    /// The value of a gated metric.
    package func value(of metric: GatedMetric) -> Double? {
        switch metric {
        case .accuracy: accuracy
        case .p95LatencyMs: p95LatencyMs
        case .avgCostUSD: avgCostUSD
        case .meanScore: meanScore
        case .avgSteps: avgSteps
        }
    }
}
