#!/usr/bin/env python3
"""The gate at the process floor: CPU and peak memory of the gates a push meets, per case, beside
`evalguard --version` (the cost of starting the process at all).

Builds evalguard (release) unless --evalguard names binaries. For each size (cases in one suite)
it makes a repository whose echo model reads only echo.py, records and commits the baseline,
pushes it to a bare remote, and then measures, each binary in turn within every round (so a
machine loaded by other work loads them alike), with CPU (user + system) and peak RSS read from
wait4(2) for the evalguard process alone:

- first gate after a docs-only commit: `check` on HEAD (keeps its verdict), then a new commit
  outside the model's inputs, then the pre-push hook for it: what a push after a commit costs;
- uncached gate: the hook with the verdict cache emptied (the stored result and the baseline
  decoded, the comparison made);
- threshold edit: `check` after an edit of the configuration that changes no suite key (a new
  threshold each round, so no stored result has its evaluation key): planning with every answer
  reused, no model call;
- diff: `diff` of the baseline's commit and HEAD (two stored results read, compared case by case);
- report: `report -n 2` (the working tree's stored result, the baseline, two commits of history,
  the HTML page written);
- blame: `blame --good <baseline commit>` over a range whose model input changed (a comment in
  echo.py, evaluated once while preparing): both ends' stored results read and compared;
- audit: `ci --base <baseline commit>` with `audit_sample` 20 (the stored answers planned for reuse,
  twenty asked of the model again and compared, the verdict reached; the model's processes are
  the evalguard process's children and count in its CPU).

Each figure is printed beside `evalguard --version`'s CPU as a ratio, and per case.

Usage: Benchmarks/gate_floor.py [--sizes 1000,20000,100000] [--rounds 3]
                                [--evalguard NAME=PATH ...] [--skip NAME:gate:size ...]
(--evalguard may be given several times, e.g. before=/path/to/old after=/path/to/new; --skip
leaves out a slow measurement, e.g. before:threshold:100000.)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_loop import baseline_pushed, build, git, scratch_repository  # noqa: E402


def measured(command, cwd, stdin=None):
    """(CPU ms, peak RSS MB, stdout, stderr, exit code) of one evalguard process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=out, stderr=err)
        if stdin:
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        return ((usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024,
                out.read().decode(), err.read().decode(), os.waitstatus_to_exitcode(status))


def prepare(work, name, cases, evalguard):
    """A repository with the baseline committed and pushed; returns (repo, remote)."""
    repo, remote = f"{work}/{name}-{cases}", f"{work}/{name}-{cases}-remote.git"
    os.makedirs(repo)
    scratch_repository(repo, cases, jobs=2, inputs=["echo.py"], files={"docs/guide.md": "guide\n"})
    config_path = f"{repo}/.evals/evalguard.json"
    with open(config_path) as f:
        config = json.load(f)
    config["audit_sample"] = 20
    with open(config_path, "w") as f:
        json.dump(config, f)
    git(repo, "commit", "-q", "-am", "audit sample")
    baseline_pushed(evalguard, repo, remote)
    good = git(repo, "rev-parse", "HEAD")
    # A change of the model's input that changes no answer: blame has two stored results to compare.
    with open(f"{repo}/echo.py", "a") as f:
        f.write("# the same answers\n")
    git(repo, "commit", "-q", "-am", "model comment")
    subprocess.run([evalguard, "run"], cwd=repo, check=True, capture_output=True)
    return repo, remote, good


def docs_commit(repo, n):
    with open(f"{repo}/docs/guide.md", "a") as f:
        f.write(f"line {n}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"docs {n}")
    return git(repo, "rev-parse", "HEAD")


def expect(done, what, code=0):
    if done[4] != code:
        sys.exit(f"unexpected outcome of {what} ({done[4]}): {done[3]}")
    return done


def one_round(evalguard, repo, remote, good, base, n, skip):
    """Each measured command once; returns {gate: (cpu ms, peak MB)}."""
    figures = {}
    expect(measured([evalguard, "check"], repo), "check")
    tip = docs_commit(repo, n)
    stdin = f"refs/heads/main {tip} refs/heads/main {base}\n"
    hook = [evalguard, "hook", "pre-push", "origin", remote]
    figures["first gate after a docs commit"] = expect(measured(hook, repo, stdin), "hook")[:2]
    shutil.rmtree(f"{repo}/.evals/results/verdicts", ignore_errors=True)
    figures["uncached gate"] = expect(measured(hook, repo, stdin), "uncached hook")[:2]
    if "threshold" not in skip:
        config_path = f"{repo}/.evals/evalguard.json"
        with open(config_path) as f:
            original = f.read()
        config = json.loads(original)
        config["thresholds"] = {"accuracy": {"max_drop": round(0.05 + n / 1000, 4)}}
        with open(config_path, "w") as f:
            json.dump(config, f)
        done = expect(measured([evalguard, "check"], repo), "check after a threshold edit")
        if "model did not run" not in done[3] and "reus" not in done[3]:
            sys.exit(f"the threshold edit ran the model: {done[3]}")
        figures["threshold edit"] = done[:2]
        with open(config_path, "w") as f:
            f.write(original)
    figures["diff"] = expect(measured([evalguard, "diff", good, "HEAD"], repo), "diff")[:2]
    figures["report"] = expect(measured([evalguard, "report", "-n", "2", "-o", f"{repo}.html"], repo), "report")[:2]
    # Exit 1: blame found no regression to locate, having compared the two ends.
    done = expect(measured([evalguard, "blame", "--good", good], repo), "blame", code=1)
    if "No regression" not in done[2]:
        sys.exit(f"blame did not compare the two stored results: {done[2]}")
    figures["blame"] = done[:2]
    done = expect(measured([evalguard, "ci", "--base", good, "--no-fetch"], repo), "ci")
    if "audit: 20 of" not in done[2]:
        sys.exit(f"ci did not audit: {done[2]}")
    figures["audit"] = done[:2]
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,20000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--evalguard", action="append", default=[], help="NAME=PATH of a binary to measure")
    parser.add_argument("--skip", action="append", default=[], help="NAME:threshold:SIZE to leave out")
    args = parser.parse_args()
    binaries = [tuple(b.split("=", 1)) for b in args.evalguard] or [
        ("this", build(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))]
    sizes = [int(s) for s in args.sizes.split(",")]
    with open("/proc/loadavg") as f:
        print(f"load average before: {' '.join(f.read().split()[:3])}")
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for cases in sizes:
            repos = {name: prepare(work, name, cases, path) for name, path in binaries}
            bases = {name: git(repo, "rev-parse", "HEAD") for name, (repo, _, _) in repos.items()}
            for r in range(args.rounds):
                for name, path in binaries:
                    skip = {s.split(":")[1] for s in args.skip if s.split(":")[0] == name and int(s.split(":")[2]) == cases}
                    version = measured([path, "--version"], work)[:2]
                    figures = one_round(path, *repos[name], bases[name], r + 1, skip)
                    for gate, value in [("evalguard --version", version), *figures.items()]:
                        results.setdefault((name, cases, gate), []).append(value)
            for repo, remote, _ in repos.values():
                shutil.rmtree(repo)
                shutil.rmtree(remote)
    with open("/proc/loadavg") as f:
        print(f"load average after: {' '.join(f.read().split()[:3])}")
    print(f"median of {args.rounds} interleaved rounds; CPU of the evalguard process (user + system), peak RSS from wait4")
    gates = ["first gate after a docs commit", "uncached gate", "threshold edit", "diff", "report", "blame", "audit"]
    for name, _ in binaries:
        print(f"\n{name}")
        for cases in sizes:
            anchor = statistics.median(c for c, _ in results[(name, cases, "evalguard --version")])
            print(f"  {cases:>7,} cases   evalguard --version {anchor:6.1f} ms CPU")
            for gate in gates:
                values = results.get((name, cases, gate))
                if not values:
                    continue
                cpu = statistics.median(c for c, _ in values)
                peak = max(p for _, p in values)
                print(f"    {gate:<32} {cpu:9.1f} ms CPU  ×{cpu / anchor:6.2f} of --version"
                      f"  {cpu * 1000 / cases:8.2f} µs/case  peak {peak:6.1f} MB")


if __name__ == "__main__":
    main()
