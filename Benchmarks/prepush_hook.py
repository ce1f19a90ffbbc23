#!/usr/bin/env python3
"""Wall time of the gate on an unchanged model: `evalguard hook pre-push` and `evalguard check`.

Builds evalguard (release). For each setting (cases in the suite × files in the tree) it makes a
repository, evaluates it and commits the baseline, pushes to a bare remote, commits a docs-only
change outside the model's inputs, and times, several times each, as git would run them:

- the hook and `check` with the verdict cache (what a user meets from the second gate on: the
  stored result was compared with this baseline before, so neither is decoded);
- the same with the cache emptied before each run (the stored result and the baseline decoded,
  the gate computed: what every gate cost before the cache, and what the first one costs).

All settings print side by side in one table; `python3 -c pass` is timed as a yardstick. Then
each cached figure at scale is printed beside its comparison, the same gate at 400 cases × 200
files (the first setting when that one is not measured), with its target: under 50 ms at 20,000
cases, under 60 ms in a 20,000-file tree, both with the cache. Exits 1 when one is over.

Usage: Benchmarks/prepush_hook.py [--runs N] [--settings 400x200,20000x200,400x20000] [--evalguard BINARY]
(--evalguard times that binary instead of building this checkout, e.g. an older build.)
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_loop import baseline_pushed, build, git, scratch_repository  # noqa: E402


def children_cpu_ms():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def timed(command, cwd, stdin=None, cpu=None):
    """Wall time in ms and the finished process; appends its CPU time (user + system) to `cpu`."""
    before, start = children_cpu_ms(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, text=True)
    wall = (time.perf_counter() - start) * 1000
    if cpu is not None:
        cpu.append(children_cpu_ms() - before)
    return wall, done


def measure(evalguard, work, cases, files, runs):
    repo, remote = f"{work}/repo-{cases}-{files}", f"{work}/remote-{cases}-{files}.git"
    os.makedirs(repo)
    # An ordinary tree around the model: source files in folders of 100.
    sources = {f"src/pkg{i // 100}/file{i}.txt": f"source file {i}\n" for i in range(files)}
    scratch_repository(repo, cases, jobs=2, inputs=["echo.py"], files=sources)
    baseline_pushed(evalguard, repo, remote)
    base = git(repo, "rev-parse", "HEAD")
    with open(f"{repo}/README.md", "w") as f:
        f.write("docs only\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "docs")
    tip = git(repo, "rev-parse", "HEAD")
    stdin = f"refs/heads/main {tip} refs/heads/main {base}\n"
    hook = [evalguard, "hook", "pre-push", "origin", remote]
    check = [evalguard, "check"]
    verdicts = f"{repo}/.evals/results/verdicts"

    cpu = {}

    def series(command, stdin, cold):
        times, cpu_times = [], cpu.setdefault((command[1], cold), [])
        for _ in range(runs):
            if cold:
                shutil.rmtree(verdicts, ignore_errors=True)
            ms, done = timed(command, repo, stdin, cpu_times)
            if done.returncode != 0 or "the model did not run" not in done.stderr and "reusing the stored result" not in done.stderr:
                sys.exit(f"unexpected outcome of {' '.join(command[1:3])} ({done.returncode}): {done.stderr}")
            times.append(ms)
        return statistics.median(times)

    timed(hook, repo, stdin)  # warm the page cache and keep the verdicts
    timed(check, repo)
    figures = {
        "hook, cached": series(hook, stdin, cold=False),
        "hook, no cache": series(hook, stdin, cold=True),
        "check, cached": series(check, None, cold=False),
        "check, no cache": series(check, None, cold=True),
    }
    shutil.rmtree(repo)
    figures["cpu hook, cached"] = statistics.median(cpu[("hook", False)])
    figures["cpu check, cached"] = statistics.median(cpu[("check", False)])
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--settings", default="400x200,20000x200,400x20000")
    parser.add_argument("--evalguard", help="time this binary instead of a release build of this checkout")
    args = parser.parse_args()
    evalguard = args.evalguard or build(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    settings = [tuple(int(x) for x in s.split("x")) for s in args.settings.split(",")]
    with tempfile.TemporaryDirectory() as work:
        results = [(cases, files, measure(evalguard, work, cases, files, args.runs)) for cases, files in settings]
        python = statistics.median(timed(["python3", "-c", "pass"], work)[0] for _ in range(args.runs))
        version_cpu = []
        version = statistics.median(timed([evalguard, "--version"], work, cpu=version_cpu)[0] for _ in range(args.runs))

    names = [n for n in results[0][2] if not n.startswith("cpu ")]
    print(f"median wall time of {args.runs} runs, unchanged model (docs-only commit), ms")
    print(f"{'cases × files in tree':<24}" + "".join(f"{n:>18}" for n in names))
    for cases, files, figures in results:
        print(f"{f'{cases:,} × {files:,}':<24}" + "".join(f"{figures[n]:>18.1f}" for n in names))
    print(f"python3 -c pass, for scale: {python:.1f} ms; evalguard --version (the process's floor): {version:.1f} ms,"
          f" {statistics.median(version_cpu):.1f} ms CPU")
    reference = next((r for r in results if r[:2] == (400, 200)), results[0])
    rc, rf, rfig = reference
    print(f"\ncached gate at scale, beside the same gate at {rc:,} cases × {rf:,} files, and its target:")
    over = []
    for cases, files, figures in results:
        if (cases, files) == (rc, rf) or (cases < 20_000 and files < 20_000):
            continue
        target = 60 if files >= 20_000 else 50
        for name in ("hook, cached", "check, cached"):
            value, base = figures[name], rfig[name]
            verdict = "met" if value < target else "OVER"
            if value >= target:
                over.append(name)
            print(f"  {name.split(',')[0]:<6} at {f'{cases:,} cases × {files:,} files':<26} {value:7.1f} ms"
                  f"   at {rc:,} × {rf:,}: {base:6.1f} ms (×{value / base:.2f})   target < {target} ms: {verdict}"
                  f"   (CPU {figures['cpu ' + name]:.1f} ms, at {rc:,} × {rf:,}: {rfig['cpu ' + name]:.1f} ms)")
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
