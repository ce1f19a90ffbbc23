#!/usr/bin/env python3
"""evalguard's own CPU time per case, on 10,000 cases against a trivial echo model; with
--memory, its peak memory on 100,000 cases beside a small run's.

Builds evalguard (release), makes a scratch git repository whose model echoes its input,
runs `evalguard run`, and reads evalguard's own user+system CPU time from /proc after it
exits but before it is reaped (waitid with WNOWAIT), so the model processes' CPU is not
counted. Prints the figures; the target is under 0.1 ms of evalguard CPU per case.

Peak memory is the largest resident set size wait4(2) reports for the run (evalguard's own;
the echo models, a few MB each, are smaller). With --memory the run is made at --small cases
and at 100,000 cases, and the figures are printed beside the target: under 64 MB at 100,000.

Usage: Benchmarks/core_loop.py [--cases N] [--jobs N]
       Benchmarks/core_loop.py --memory [--small N] [--jobs N]
       (either with --evalguard PATH: measure that binary rather than a release build of this tree)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ECHO_MODEL = r'''
import sys
out = sys.stdout
for line in sys.stdin:
    # The request is {"id":...,"input":...}: answer with the input as output, without parsing.
    i = line.index(',"input":')
    out.write(line[:i] + ',"output":' + line[i + 9:-2] + '}\n')
    out.flush()
'''


def build(here):
    """The binary users run, built as a release archive builds it (scripts/build-release.sh)."""
    return subprocess.run([os.path.join(here, "scripts", "build-release.sh")], check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()


def cpu_seconds(pid):
    """(own, children) user+system CPU of an exited, not yet reaped child (stat fields 14-17)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks, (int(fields[13]) + int(fields[14])) / ticks


def git(repo, *args):
    """Runs git in `repo` and returns its output."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def scratch_repository(repo, cases, jobs, inputs=None, files=None):
    """A committed repository at `repo` whose echo model answers `cases` cases; `inputs` becomes
    model.inputs, `files` ({path: text}) are written besides. Returns HEAD."""
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "bench@example.com")
    git(repo, "config", "user.name", "bench")
    written = {"echo.py": ECHO_MODEL, ".evals/.gitignore": "results/\n", **(files or {})}
    written[".evals/cases/bench.jsonl"] = "".join(
        json.dumps({"id": f"case-{i}", "input": f"question {i}", "expected": f"question {i}"}) + "\n" for i in range(cases))
    model = {"command": ["python3", "echo.py"], "jobs": jobs, **({"inputs": inputs} if inputs else {})}
    written[".evals/evalguard.json"] = json.dumps({"model": model, "suites": {"bench": {"cases": "cases/bench.jsonl"}}})
    for path, text in written.items():
        os.makedirs(os.path.dirname(f"{repo}/{path}"), exist_ok=True)
        with open(f"{repo}/{path}", "w") as f:
            f.write(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bench")
    return git(repo, "rev-parse", "HEAD")


def baseline_pushed(evalguard, repo, remote):
    """Records and commits the baseline of `repo`, and pushes main to a new bare `remote`."""
    subprocess.run([evalguard, "baseline"], cwd=repo, check=True, capture_output=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "baseline")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", remote], check=True)
    git(repo, "remote", "add", "origin", remote)
    git(repo, "push", "-q", "origin", "main")


def measured_run(evalguard, cases, jobs):
    """One `evalguard run` over `cases` echo cases in a scratch repository:
    (wall seconds, own CPU seconds, model CPU seconds, peak RSS in bytes, accuracy)."""
    with tempfile.TemporaryDirectory() as repo:
        head = scratch_repository(repo, cases, jobs)
        start = time.monotonic()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([evalguard, "run"], cwd=repo, stdout=out, stderr=err)
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
            wall = time.monotonic() - start
            own, model = cpu_seconds(proc.pid)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                err.seek(0)
                sys.exit(f"evalguard run failed ({proc.returncode}): {err.read().decode()}")
        with open(f"{repo}/.evals/results/{head}.json") as f:
            accuracy = json.load(f)["overall"]["accuracy"]
    return wall, own, model, usage.ru_maxrss * 1024, accuracy


PEAK_TARGET_MB = 64
PEAK_CASES = 100_000


def memory(evalguard, small, jobs):
    """Peak memory at `small` cases and at 100,000, beside the target."""
    figures = []
    for cases in (small, PEAK_CASES):
        _, _, _, peak, _ = measured_run(evalguard, cases, jobs)
        figures.append((cases, peak))
    (small_cases, small_peak), (_, big_peak) = figures
    mb = lambda b: b / 1_048_576
    per_case = (big_peak - small_peak) / (PEAK_CASES - small_cases)
    print(f"peak RSS, {small_cases:>7} cases   {mb(small_peak):7.1f} MB")
    print(f"peak RSS, {PEAK_CASES:>7} cases   {mb(big_peak):7.1f} MB   (target: under {PEAK_TARGET_MB} MB)")
    print(f"growth per case          {per_case:7.0f} bytes")
    if mb(big_peak) >= PEAK_TARGET_MB:
        print(f"over the {PEAK_TARGET_MB} MB target", file=sys.stderr)
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--memory", action="store_true", help="peak memory at --small cases and at 100,000")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--evalguard", help="measure this binary instead of building one (to compare two builds)")
    args = parser.parse_args()
    evalguard = os.path.abspath(args.evalguard) if args.evalguard else build(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if args.memory:
        return memory(evalguard, args.small, args.jobs)

    wall, own, model, peak, accuracy = measured_run(evalguard, args.cases, args.jobs)
    per_case_ms = own / args.cases * 1000
    print(f"cases                 {args.cases} (jobs {args.jobs}), accuracy {accuracy:.4f}")
    print(f"wall time             {wall:.2f} s")
    print(f"evalguard CPU (own)   {own:.2f} s = {per_case_ms:.4f} ms per case   (target: under 0.1 ms)")
    print(f"model processes CPU   {model:.2f} s")
    print(f"peak RSS              {peak / 1_048_576:.1f} MB")
    print("reference             Inspect AI: ~7.5 ms of harness CPU per case with its mock model")
    if per_case_ms >= 0.1:
        print("over the 0.1 ms target", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
