// libFuzzer target: what `cases import` and `cases add` read from other tools' files. The first
// byte picks the reader (CSV, TSV, OpenAI Evals samples, production records and OTLP spans);
// bad input must end in an EvalGuardError, never a trap.
@testable import EvalGuardImport
@testable import EvalGuardSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    do {
        switch data[0] % 4 {
        case 0: _ = try CSVTable.parse(text, separator: ",", path: "t.csv")
        case 1:
            _ = try TableImport.read(
                text, separator: "\t", display: "t.tsv", inputColumn: "input", expectedColumn: "expected",
                idColumn: "id")
        case 2:
            _ = ImportSelection(
                OpenAIEvalsImport.unify(try OpenAIEvalsImport.read(text, display: "s.jsonl")), family: nil)
        default:
            let records = try ProductionRecords.read(text, display: "log.jsonl")
            _ = ProductionRecords.cases(records, inputField: "input", outputField: "output", expectedField: "output")
        }
    } catch is EvalGuardError {
    } catch {
        preconditionFailure("not a clean error: \(error)")
    }
    return 0
}
