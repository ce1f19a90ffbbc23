#!/usr/bin/env python3
"""`evalguard log` per commit next to `git cat-file --batch`, and start-up cost.

Builds evalguard (release), then, with the scratch history of Benchmarks/blame.py:
  - start-up: `evalguard --version` and `evalguard log -n 1` in a small repository (libgit2 is
    started by the second, not the first), next to `git rev-parse HEAD`;
  - 2,000 commits, every one with a stored result: `evalguard log -n 2000` and `log -n 10`, per
    commit shown, next to `git cat-file --batch` reading the same commits and result files;
  - 100 commits whose stored results hold 8,000 cases each (about 1.5 MB a file):
    `evalguard log -n 100` per commit, next to `git cat-file --batch` over the same commits.
Medians of 5 runs; each figure is printed beside its comparison, with the ratio.
Usage: Benchmarks/log_scale.py [--evalguard BINARY]  (that binary instead of a release build of this tree)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_loop import build  # noqa: E402
from blame import make_history, store_everything, run  # noqa: E402


def median_ms(command, cwd, input_text=None, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, input=input_text, capture_output=True, text=True)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            sys.exit(f"{command} failed: {done.stderr}")
    return statistics.median(times), done


def cat_file_ms(repo, shas, with_results):
    """git cat-file --batch over the commits (and, like log, each one's result file read)."""
    text = "".join(s + "\n" for s in shas)
    def once():
        start = time.perf_counter()
        subprocess.run(["git", "cat-file", "--batch"], cwd=repo, input=text, capture_output=True, text=True, check=True)
        if with_results:
            for s in shas:
                with open(f"{repo}/.evals/results/{s}.json", "rb") as f:
                    f.read()
        return (time.perf_counter() - start) * 1000
    return statistics.median(once() for _ in range(5))


def stored_history(evalguard, work, n, cases=None):
    repo, states = make_history(work, n, n // 2, f"{work}/counter{n}", evalguard)
    shas = run(["git", "rev-list", "--reverse", f"HEAD~{n}..HEAD"], repo).stdout.split()
    run([evalguard, "run", "--commit", shas[0]], repo, check=True)
    run([evalguard, "run", "--commit", shas[-1]], repo, check=True)
    good = json.load(open(f"{repo}/.evals/results/{shas[0]}.json"))
    bad = json.load(open(f"{repo}/.evals/results/{shas[-1]}.json"))
    if cases:
        for result in (good, bad):
            template = result["suites"][0]["cases"]
            result["suites"][0]["cases"] = [dict(template[i % len(template)], id=f"c{i}", output="x" * 120)
                                            for i in range(cases)]
    store_everything(repo, states, shas, good, bad, n // 2)
    return repo, shas


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--evalguard", help="measure this binary instead of building one")
    args = parser.parse_args()
    evalguard = os.path.abspath(args.evalguard) if args.evalguard else build(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as work:
        repo, shas = stored_history(evalguard, work, 8)
        version, _ = median_ms([evalguard, "--version"], repo, runs=21)
        log1, _ = median_ms([evalguard, "log", "-n", "1"], repo, runs=21)
        git_ms, _ = median_ms(["git", "rev-parse", "HEAD"], repo, runs=21)
        print("start-up (median of 21):")
        print(f"  evalguard --version                 {version:7.1f} ms")
        print(f"  evalguard log -n 1 (starts libgit2) {log1:7.1f} ms")
        print(f"  git rev-parse HEAD                  {git_ms:7.1f} ms")

        n = 2000
        repo, shas = stored_history(evalguard, work, n)
        newest = list(reversed(shas))
        full, done = median_ms([evalguard, "log", "-n", str(n)], repo)
        rows = sum(1 for line in done.stdout.splitlines() if line[:7] in {s[:7] for s in shas})
        short, _ = median_ms([evalguard, "log", "-n", "10"], repo)
        cat = cat_file_ms(repo, newest, with_results=True)
        cat10 = cat_file_ms(repo, newest[:10], with_results=True)
        print(f"{n} commits, every one stored ({rows} lines shown):")
        print(f"  evalguard log -n {n}      {full:7.1f} ms  {full * 1000 / n:6.1f} µs per commit")
        print(f"  git cat-file --batch      {cat:7.1f} ms  {cat * 1000 / n:6.1f} µs per commit (commits + result files)"
              f"   ratio {full / cat:.2f}x (target: within 3x)")
        print(f"  evalguard log -n 10       {short:7.1f} ms   git cat-file --batch, 10 commits {cat10:6.1f} ms   ratio {short / cat10:.2f}x"
              f"; log -n 1 alone: {log1:.1f} ms")

        n = 100
        repo, shas = stored_history(evalguard, work, n, cases=8000)
        size = os.path.getsize(f"{repo}/.evals/results/{shas[-1]}.json") / 1e6
        big, _ = median_ms([evalguard, "log", "-n", str(n)], repo)
        cat = cat_file_ms(repo, list(reversed(shas)), with_results=True)
        print(f"{n} commits, results of 8,000 cases ({size:.1f} MB each):")
        print(f"  evalguard log -n {n}       {big:7.1f} ms  {big / n:6.2f} ms per commit")
        print(f"  git cat-file --batch + reading the files {cat:7.1f} ms   ratio {big / cat:.2f}x")


if __name__ == "__main__":
    main()
