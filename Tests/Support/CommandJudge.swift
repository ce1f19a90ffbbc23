@testable import EvalGuardSupport

/// A judge that is a command model, and the configuration that names it `grader`.
package enum CommandJudge {
    /// A judge (a command model) that fails an answer reading "wrong" and passes any other,
    /// writing a line to `log` per request.
    package static func script(log: String) -> String {
        """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            open(\(JSONValue.string(log).canonicalText), "a").write("graded\\n")
            grade = "fail" if "wrong" in r["input"] else "pass"
            sys.stdout.write(json.dumps({"id": r["id"], "output": "Checked.\\nGRADE: " + grade}) + "\\n")
            sys.stdout.flush()
        """
    }

    package static let model = #""models": {"grader": {"command": ["python3", "judge.py"], "timeout_s": 10}},"#
    package static let scorer =
        #"{"type": "judge", "judge": "grader", "rubric": "The answer repeats the question's code."}"#
}
