#!/usr/bin/env python3
"""Wall time of `evalguard hook pre-push` for a push whose model inputs did not change.

Builds evalguard (release), makes a repository with a 400-case suite, evaluates it and commits
the baseline, pushes to a bare remote, then commits a docs-only change and times the hook as git
would run it (same stdin, arguments and working directory), several times. The target is under
50 ms; `python3 -c pass` is timed alongside as a yardstick (Python eval tools start slower still).

Usage: Benchmarks/prepush_hook.py [--runs N] [--cases N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_loop import build, git, scratch_repository  # noqa: E402


def timed(command, cwd, stdin=None):
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, text=True)
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, done


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cases", type=int, default=400)
    args = parser.parse_args()
    evalguard = build(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    with tempfile.TemporaryDirectory() as work:
        repo, remote = f"{work}/repo", f"{work}/remote.git"
        os.makedirs(repo)
        # An ordinary tree around the model: 200 source files in 20 folders.
        sources = {f"src/pkg{i % 20}/file{i}.txt": f"source file {i}\n" for i in range(200)}
        scratch_repository(repo, args.cases, jobs=2, inputs=["echo.py"], files=sources)
        subprocess.run([evalguard, "baseline"], cwd=repo, check=True, capture_output=True)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "baseline")
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", remote], check=True)
        git(repo, "remote", "add", "origin", remote)
        git(repo, "push", "-q", "origin", "main")
        base = git(repo, "rev-parse", "HEAD")
        with open(f"{repo}/README.md", "w") as f:
            f.write("docs only\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "docs")
        tip = git(repo, "rev-parse", "HEAD")
        stdin = f"refs/heads/main {tip} refs/heads/main {base}\n"

        hook, python = [], []
        for _ in range(args.runs):
            ms, done = timed([evalguard, "hook", "pre-push", "origin", remote], repo, stdin)
            if done.returncode != 0 or "the model did not run" not in done.stderr:
                sys.exit(f"unexpected hook outcome ({done.returncode}): {done.stderr}")
            hook.append(ms)
            python.append(timed(["python3", "-c", "pass"], repo)[0])

    def summary(xs):
        return f"median {statistics.median(xs):6.1f} ms   max {max(xs):6.1f} ms"
    print(f"evalguard hook pre-push, unchanged model ({args.cases} cases, {args.runs} runs): {summary(hook)}   (target: under 50 ms)")
    print(f"python3 -c pass, for scale:                                     {summary(python)}")
    print(f"ratio hook / python start-up: {statistics.median(hook) / statistics.median(python):.2f}")
    if statistics.median(hook) >= 50:
        sys.exit("over the 50 ms target")


if __name__ == "__main__":
    main()
