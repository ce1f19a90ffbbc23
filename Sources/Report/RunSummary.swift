import EvalGuardStore
import EvalGuardSupport
import FoundationEssentials

/// The table `evalguard run` prints: per suite and overall.
package enum RunSummary {
    package static func render(_ result: RunResult) -> String {
        var table = TextTable(
            headers: [
                "suite", "cases", "accuracy", "p50 ms", "p95 ms", "p99 ms", "mean ms",
                "avg cost $", "total cost $", "errors", "timeouts",
            ],
            rightAligned: Set(1...10))
        func row(_ name: String, _ m: Metrics) -> [String] {
            // A batch leaves latency unmeasured: "-" in the table, said below it.
            let ms = { (v: Double) in m.latencyMeasured ? Format.ms(v) : "-" }
            return [
                name, "\(m.cases)", Format.accuracy(m.accuracy), ms(m.p50LatencyMs), ms(m.p95LatencyMs),
                ms(m.p99LatencyMs), ms(m.meanLatencyMs), Format.usd(m.avgCostUSD), Format.usd(m.totalCostUSD),
                "\(m.errors)", "\(m.timeouts)",
            ]
        }
        for suite in result.suites { table.rows.append(row(suite.name, suite.metrics)) }
        if result.suites.count > 1 { table.rows.append(row("overall", result.overall)) }
        var out = table.render()
        if let batched = result.overall.batched {
            out +=
                "\n\(batched) answer(s) came through a batch API, at the batch price; latency \(Metrics.notMeasuredInBatch)\n"
        }
        let agents = result.suites.filter { $0.metrics.avgSteps != nil || $0.metrics.avgToolCalls != nil }
        if !agents.isEmpty { out += "\n" }
        for suite in agents {
            out +=
                "\(suite.name): \(Format.number(suite.metrics.avgToolCalls ?? 0, digits: 2)) tool call(s) and "
                + "\(Format.number(suite.metrics.avgSteps ?? 0, digits: 2)) agent step(s) per case on average\n"
        }
        if let runs = result.repeats {
            let flaky = result.suites.map { s in (s.name, s.cases.filter(\.isFlaky).map(\.id)) }.filter {
                !$0.1.isEmpty
            }
            out += "\neach case ran \(runs) times; accuracy is the mean pass rate\n"
            for (suite, ids) in flaky {
                let shown = ids.prefix(10).joined(separator: ", ") + (ids.count > 10 ? ", …" : "")
                out += "\(suite): \(ids.count) flaky case(s) (outcomes differ across runs): \(shown)\n"
            }
        }
        if let retries = result.overall.retries {
            out +=
                "\n\(retries) retried request(s); \(Format.ms(result.overall.retryMs ?? 0)) ms of wall time lost to retries and back-off (overlapping waits counted once), not counted in latency\n"
        }
        let failures = result.suites.flatMap { s in s.cases.compactMap { c in c.error.map { (s.name, c.id, $0) } } }
        if let (suite, id, error) = failures.first {
            out += "\n\(failures.count) case(s) failed to run; first: \(suite)/\(id): \(error)\n"
        }
        return out
    }
}

extension RunSummary {
    /// `run --format json`: the result's metrics without the per-case detail (that is in the file).
    package static func json(_ result: RunResult) throws -> JSONValue {
        func metrics(_ m: Metrics) throws -> JSONValue {
            try JSONParser.parse(String(decoding: try JSONEncoder().encode(m), as: UTF8.self))
        }
        var suites: [String: JSONValue] = [:]
        for s in result.suites { suites[s.name] = try metrics(s.metrics) }
        return .object([
            "commit": .string(result.commit), "dirty": .bool(result.dirty), "key": .string(result.key),
            "result_file": .string(ResultStore.directory + "/\(result.commit).json"),
            "suites": .object(suites), "overall": try metrics(result.overall), "reuse": result.reuseJSON,
        ])
    }
}
