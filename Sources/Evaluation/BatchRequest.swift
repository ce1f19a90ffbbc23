import EvalGuardRunner

/// A command's word on batching: which models go through their provider's batch API (`every`
/// with `--batch`; else those with `"batch": true`, for the commands that honour it), where
/// batch ids are kept, and how the batch's progress is shown. Only an evaluation's own models
/// and judges are batched: re-asks (settling), audits and probes are asked directly.
package struct BatchRequest {
    package enum Scope: Sendable { case configured, every }
    package var scope: Scope
    package var maxWaitSeconds: Double?
    /// The repository root: batch ids are kept under its results directory.
    package var root: String
    /// Added to a state file's name (a share of a sharded run keeps its own batch).
    package var stateSuffix = ""
    package var say: (String) -> Void
    package var progress: (BatchProgress) -> Void
    /// The batches this run read, forgotten once its result is stored.
    package let answered = BatchLedger()

    package init(
        scope: Scope, maxWaitSeconds: Double?, root: String, say: @escaping (String) -> Void,
        progress: @escaping (BatchProgress) -> Void
    ) {
        (self.scope, self.maxWaitSeconds, self.root, self.say, self.progress) = (
            scope, maxWaitSeconds, root, say, progress
        )
    }
}
