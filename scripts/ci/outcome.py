#!/usr/bin/env python3
"""What an `evalguard ci` run decided, as CI outputs, from its exit code and its JUnit report.

usage: outcome.py EXIT_CODE JUNIT_FILE [--fail-on-inconclusive]

Prints `name=value` lines (the format of $GITHUB_OUTPUT and of a dotenv file):
  verdict=pass|inconclusive|regression|error   error: evalguard exited 2 (usage, configuration)
                                               or 3 (could not evaluate), or was interrupted
  regressions=N      gated metrics that regressed (suite and metric pairs)
  inconclusive=N     gated metrics beyond their threshold but within noise
  exit-code=N        what the CI step should exit with: evalguard's own code, except that
                     --fail-on-inconclusive turns an inconclusive pass (0) into 1

The JUnit report has one testcase per suite and metric: a regression is a <failure
type="regression">; an inconclusive metric is a <failure type="inconclusive"> under
on_inconclusive "fail", else a testcase whose <system-out> starts with "inconclusive:".
"""
import sys
import xml.etree.ElementTree as ET


def count(junit_path):
    regressions = inconclusive = 0
    root = ET.parse(junit_path).getroot()
    for case in root.iter("testcase"):
        failure = case.find("failure")
        out = case.find("system-out")
        if failure is not None and failure.get("type") == "regression":
            regressions += 1
        elif failure is not None and failure.get("type") == "inconclusive":
            inconclusive += 1
        elif out is not None and (out.text or "").startswith("inconclusive:"):
            inconclusive += 1
    return regressions, inconclusive


def main(argv):
    args = [a for a in argv if a != "--fail-on-inconclusive"]
    fail_on_inconclusive = len(args) != len(argv)
    if len(args) != 2 or not args[0].lstrip("-").isdigit():
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    status, junit = int(args[0]), args[1]
    regressions = inconclusive = 0
    if status in (0, 1):
        try:
            regressions, inconclusive = count(junit)
        except (OSError, ET.ParseError) as error:
            print(f"outcome.py: cannot read the JUnit report {junit}: {error}", file=sys.stderr)
            return 2
    if status not in (0, 1):
        verdict = "error"
    elif regressions:
        verdict = "regression"
    elif inconclusive:
        verdict = "inconclusive"
    else:
        verdict = "pass"
    exit_code = 1 if (status == 0 and verdict == "inconclusive" and fail_on_inconclusive) else status
    print(f"verdict={verdict}")
    print(f"regressions={regressions}")
    print(f"inconclusive={inconclusive}")
    print(f"exit-code={exit_code}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
