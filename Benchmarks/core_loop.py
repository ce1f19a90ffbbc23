#!/usr/bin/env python3
"""evalguard's own CPU time per case, on 10,000 cases against a trivial echo model.

Builds evalguard (release), makes a scratch git repository whose model echoes its input,
runs `evalguard run`, and reads evalguard's own user+system CPU time from /proc after it
exits but before it is reaped (waitid with WNOWAIT), so the model processes' CPU is not
counted. Prints the figures; the target is under 0.1 ms of evalguard CPU per case.

Usage: Benchmarks/core_loop.py [--cases N] [--jobs N]
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
    subprocess.run(["swift", "build", "-c", "release", "--package-path", here], check=True,
                   stdout=subprocess.DEVNULL)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--package-path", here, "--show-bin-path"],
                             check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_dir, "evalguard")


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    evalguard = build(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    with tempfile.TemporaryDirectory() as repo:
        head = scratch_repository(repo, args.cases, args.jobs)
        start = time.monotonic()
        proc = subprocess.Popen([evalguard, "run"], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
        wall = time.monotonic() - start
        own, model = cpu_seconds(proc.pid)
        _, err = proc.communicate()
        if proc.returncode != 0:
            sys.exit(f"evalguard run failed ({proc.returncode}): {err.decode()}")
        with open(f"{repo}/.evals/results/{head}.json") as f:
            accuracy = json.load(f)["overall"]["accuracy"]

    per_case_ms = own / args.cases * 1000
    print(f"cases                 {args.cases} (jobs {args.jobs}), accuracy {accuracy:.4f}")
    print(f"wall time             {wall:.2f} s")
    print(f"evalguard CPU (own)   {own:.2f} s = {per_case_ms:.4f} ms per case   (target: under 0.1 ms)")
    print(f"model processes CPU   {model:.2f} s")
    print("reference             Inspect AI: ~7.5 ms of harness CPU per case with its mock model")
    if per_case_ms >= 0.1:
        print("over the 0.1 ms target", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
