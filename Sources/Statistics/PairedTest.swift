/// What every one-sided paired test reports, whatever it pairs (pass/fail or scores): the
/// paired cases, those that moved each way, the p-value for "the current run is worse", and
/// whether that p-value is exact.
package protocol PairedTest {
    var cases: Int { get }
    var worse: Int { get }
    var better: Int { get }
    var pValue: Double { get }
    var exact: Bool { get }
}

extension PairedAccuracy: PairedTest {}
extension PairedScore: PairedTest {}
