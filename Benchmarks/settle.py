#!/usr/bin/env python3
"""Model calls and verdicts of `evalguard check` with settling against `check --no-settle`.

1. The issue's workload in simulation (through evalguard's own gate and settling rule, in the
   test target): 400 cases, 80% right, 5% of answers flipped at random per run; 40 unchanged
   pairs of runs and 40 planted five-point drops (20 right cases made wrong). Prints drops
   caught, false alarms and extra model calls, settled and not.
2. One real run through the CLI: the same workload answered by a noisy command model (each
   answer flipped with probability 5%, seeded by case and call), a baseline, then a model with a
   planted five-point drop checked with --no-settle and then with settling; the model counts
   its own calls.

Usage: Benchmarks/settle.py [--seed N]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

MODEL = r'''
import json, os, random, sys
LOG = os.environ.get("SETTLE_LOG", "calls.log")
SEED = int(open("seed.txt").read())
DROPPED = set(json.load(open("dropped.json")))
counts = {}
for line in sys.stdin:
    r = json.loads(line)
    cid = r["id"]
    counts[cid] = counts.get(cid, 0) + 1
    with open(LOG, "a") as f:
        f.write(cid + "\n")
    n = sum(1 for l in open(LOG) if l.strip() == cid)
    rng = random.Random("%d/%s/%d" % (SEED, cid, n))
    right = (int(cid[1:]) * 7919 + SEED) % 100 < 80 and cid not in DROPPED
    flip = rng.random() < 0.05
    out = r["input"] if right != flip else "wrong"
    sys.stdout.write(json.dumps({"id": cid, "output": out}) + "\n")
    sys.stdout.flush()
'''


def run(cmd, cwd, env=None, check=True):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p


def simulation():
    p = run(["swift", "test", "--filter", "SettleWorkloadFigures"], ROOT, check=False)
    lines = [l.split("settle-figures: ", 1)[1] for l in (p.stdout + p.stderr).splitlines() if "settle-figures: " in l]
    print("1. simulation, 40 unchanged + 40 planted drops, 400 cases, 5% flips:")
    for l in lines:
        print("   " + l)


def real(seed, binary):
    with tempfile.TemporaryDirectory() as d:
        run(["git", "init", "-q", "-b", "main"], d)
        run(["git", "config", "user.email", "b@example.com"], d)
        run(["git", "config", "user.name", "bench"], d)
        os.makedirs(d + "/.evals/cases")
        with open(d + "/.evals/cases/main.jsonl", "w") as f:
            for i in range(400):
                f.write(json.dumps({"id": "c%d" % i, "input": "c%d" % i, "expected": "c%d" % i}) + "\n")
        with open(d + "/.evals/evalguard.json", "w") as f:
            json.dump({"model": {"command": ["python3", "model.py"], "jobs": 2},
                       "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}},
                       "thresholds": {"p95_latency_ms": False}}, f)
        for name, text in [("model.py", MODEL), ("seed.txt", str(seed)), ("dropped.json", "[]"),
                           (".gitignore", "calls.log\n"), (".evals/.gitignore", "results/\n")]:
            with open(d + "/" + name, "w") as f:
                f.write(text)
        run(["git", "add", "-A"], d)
        run(["git", "commit", "-qm", "evals"], d)
        run([binary, "baseline"], d)
        run(["git", "add", "-A"], d)
        run(["git", "commit", "-qm", "baseline"], d)
        right = [i for i in range(400) if (i * 7919 + seed) % 100 < 80]
        with open(d + "/dropped.json", "w") as f:
            json.dump(["c%d" % i for i in right[:20]], f)
        run(["git", "commit", "-qam", "planted drop"], d)

        def calls():
            return sum(1 for _ in open(d + "/calls.log")) if os.path.exists(d + "/calls.log") else 0

        before = calls()
        plain = run([binary, "check", "--no-settle", "--format", "json"], d, check=False)
        first = calls() - before
        verdict_plain = json.loads(plain.stdout)["suites"]["main"]["metrics"]["accuracy"]["verdict"]
        before = calls()
        settled = run([binary, "check", "--format", "json"], d, check=False)
        extra = calls() - before
        acc = json.loads(settled.stdout)["suites"]["main"]["metrics"]["accuracy"]
        print("2. one real run through the CLI (seed %d), 400 cases, noisy command model, planted five-point drop:" % seed)
        print("   check --no-settle: %s, %d model calls" % (verdict_plain, first))
        note = [l for l in settled.stderr.splitlines() if "settled by" in l]
        print("   check (settling):  %s, %d extra model calls (%.1f%% of %d)%s" % (
            acc["verdict"], extra, 100.0 * extra / first, first, ("; " + note[0]) if note else "; nothing to settle"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    run(["swift", "build"], ROOT)
    binary = run(["swift", "build", "--show-bin-path"], ROOT).stdout.strip() + "/evalguard"
    simulation()
    real(args.seed, binary)


if __name__ == "__main__":
    main()
