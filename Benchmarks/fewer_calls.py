#!/usr/bin/env python3
"""Model calls where decisions are made, against the full-suite way, in one run:
settling (`check` against `check --no-settle`), partial blame probes (`blame` against
`blame --full-probes`) and `git bisect run evalguard check --bisect` by votes (against `blame
--full-probes` on the same history).

1. The issue's workload in simulation (through evalguard's own gate and settling rule, in the
   test target): 400 cases, 80% right, 5% of answers flipped at random per run; 40 unchanged
   pairs of runs and 40 planted five-point drops (20 right cases made wrong). Prints drops
   caught, false alarms and extra model calls, settled and not.
2. One real run through the CLI: the same workload answered by a noisy command model (each
   answer flipped with probability 5%, seeded by case and call), a baseline, then a model with a
   planted five-point drop checked with --no-settle and then with settling; the model counts
   its own calls.

3. Blame on a 2,000-case suite in which 40 cases flipped at a planted commit (16 model changes):
   model calls per probe, partial against full.
4. `git bisect run evalguard check --bisect` on 1,024 commits and 20 cases (one commit in four
   changes a model input; one noisy case; ten cases broken at the planted commit): steps,
   skipped steps, model calls, the commit named.

Usage: Benchmarks/fewer_calls.py [--seed N]
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
            json.dump({"model": {"command": ["python3", "model.py"], "jobs": 2, "deterministic": False},
                       "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}},
                       "thresholds": {"p95_latency_ms": False}}, f)
        for name, text in [("model.py", MODEL), ("seed.txt", str(seed)), ("dropped.json", "[]"),
                           (".gitignore", "calls.log\n"), (".evals/.gitignore", "results/\n")]:
            with open(d + "/" + name, "w") as f:
                f.write(text)
        run(["git", "add", "-A"], d)
        run(["git", "commit", "-qm", "evals"], d)
        # One call log for both models: the baseline's runs in an isolated checkout of its commit.
        env = dict(os.environ, SETTLE_LOG=d + "/calls.log")
        run([binary, "baseline"], d, env=env)
        run(["git", "add", "-A"], d)
        run(["git", "commit", "-qm", "baseline"], d)
        right = [i for i in range(400) if (i * 7919 + seed) % 100 < 80]
        with open(d + "/dropped.json", "w") as f:
            json.dump(["c%d" % i for i in right[:20]], f)
        run(["git", "commit", "-qam", "planted drop"], d)

        def calls():
            return sum(1 for _ in open(d + "/calls.log")) if os.path.exists(d + "/calls.log") else 0

        before = calls()
        plain = run([binary, "check", "--no-settle", "--format", "json"], d, env=env, check=False)
        first = calls() - before
        verdict_plain = json.loads(plain.stdout)["suites"]["main"]["metrics"]["accuracy"]["verdict"]
        before = calls()
        settled = run([binary, "check", "--format", "json"], d, env=env, check=False)
        extra = calls() - before
        acc = json.loads(settled.stdout)["suites"]["main"]["metrics"]["accuracy"]
        print("2. one real run through the CLI (seed %d), 400 cases, noisy command model, planted five-point drop:" % seed)
        print("   check --no-settle: %s, %d model calls" % (verdict_plain, first))
        note = [l for l in settled.stderr.splitlines() if "settled by" in l]
        print("   check (settling):  %s, %d extra model calls (%.1f%% of %d)%s" % (
            acc["verdict"], extra, 100.0 * extra / first, first, ("; " + note[0]) if note else "; nothing to settle"))


LOGGING_MODEL = r'''
import json, os, random, sys
bug = set(open('model/bug.txt').read().split()) if os.path.exists('model/bug.txt') else set()
noisy = set(open('model/noisy.txt').read().split()) if os.path.exists('model/noisy.txt') else set()
with open(os.environ.get('CALLS_LOG', 'calls.log'), 'a') as f:
    for line in sys.stdin:
        r = json.loads(line)
        f.write(r['id'] + '\n'); f.flush()
        q = r['input']
        wrong = q in bug or (q in noisy and random.random() < 0.5)
        sys.stdout.write(json.dumps({'id': r['id'], 'output': 'wrong' if wrong else q}) + '\n')
        sys.stdout.flush()
'''


def history(d, cases, changes, log):
    """A repository with `cases` cases, a baseline, then `changes` fast-imported commits:
    ('tweak',), ('docs',), ('plant', [inputs]), ('noise', [inputs])."""
    run(["git", "init", "-q", "-b", "main"], d)
    run(["git", "config", "user.email", "b@example.com"], d)
    run(["git", "config", "user.name", "bench"], d)
    os.makedirs(d + "/.evals/cases")
    os.makedirs(d + "/model")
    with open(d + "/.evals/cases/main.jsonl", "w") as f:
        for i in range(1, cases + 1):
            f.write(json.dumps({"id": "q%d" % i, "input": "q%d" % i, "expected": "q%d" % i}) + "\n")
    with open(d + "/.evals/evalguard.json", "w") as f:
        json.dump({"model": {"command": ["python3", "model.py"], "jobs": 1, "inputs": ["model.py", "model/"]},
                   "suites": {"main": {"cases": "cases/main.jsonl", "scorer": "exact"}},
                   "thresholds": {"p95_latency_ms": False}}, f)
    for name, text in [("model.py", LOGGING_MODEL), ("model/params.txt", "0\n"), (".evals/.gitignore", "results/\n")]:
        with open(d + "/" + name, "w") as f:
            f.write(text)
    run(["git", "add", "-A"], d)
    run(["git", "commit", "-qm", "evals"], d)
    env = dict(os.environ, CALLS_LOG=log)
    return env


def fast_import(d, changes):
    t = int(run(["git", "log", "-1", "--format=%ct"], d).stdout.strip())
    out = []
    for i, c in enumerate(changes):
        t += 60
        out.append("commit refs/heads/main\ncommitter Dev <dev@example.com> %d +0000\n" % t)
        msg = "change %d" % (i + 1)
        out.append("data %d\n%s\n" % (len(msg), msg))
        if i == 0:
            out.append("from refs/heads/main^0\n")
        path, text = {"tweak": ("model/params.txt", "%d\n" % (i + 1)), "docs": ("docs/notes.md", "note %d\n" % (i + 1)),
                      "plant": ("model/bug.txt", " ".join(c[1:]) + "\n"), "noise": ("model/noisy.txt", " ".join(c[1:]) + "\n")}[c[0]]
        out.append("M 100644 inline %s\ndata %d\n%s\n" % (path, len(text.encode()), text))
    p = subprocess.run(["git", "fast-import", "--quiet", "--force"], cwd=d, input="".join(out), capture_output=True, text=True)
    if p.returncode:
        sys.exit("fast-import: " + p.stderr)
    run(["git", "reset", "-q", "--hard"], d)
    return run(["git", "rev-list", "--reverse", "-n", str(len(changes)), "HEAD"], d).stdout.split()


def calls(log):
    return sum(1 for _ in open(log)) if os.path.exists(log) else 0


def blame_partial(binary):
    with tempfile.TemporaryDirectory() as d:
        log = d + "/../calls-%d.log" % os.getpid()
        env = history(d, 2000, None, log)
        run([binary, "baseline"], d, env=env)
        run(["git", "add", "-A"], d)
        run(["git", "commit", "-qm", "baseline"], d)
        base = run(["git", "rev-parse", "HEAD"], d).stdout.strip()
        flipped = ["q%d" % (50 * i) for i in range(1, 41)]
        shas = fast_import(d, [("plant",) + tuple(flipped) if i == 9 else ("tweak",) for i in range(16)])
        print("3. blame, 2,000 cases, 40 flipped at a planted commit among 16 model changes:")
        for label, extra in [("partial probes", []), ("full probes   ", ["--full-probes"])]:
            subprocess.run(["rm", "-rf", d + "/.evals/results"])
            subprocess.run(["git", "update-ref", "-d", "refs/notes/evalguard"], cwd=d)
            run([binary, "baseline"], d, env=env)  # the good end stored, as after recording it
            if os.path.exists(log):
                os.remove(log)
            p = run([binary, "blame", "--good", base, "--format", "json"] + extra, d, env=env, check=False)
            doc = json.loads(p.stdout)
            probes = int(doc.get("evaluations", 1)) - 1  # the bad end, then the probes
            n = calls(log)
            print("   %s: %d model calls: %d for the bad end, %d over %d probes (%.0f per probe); culprit %s" % (
                label, n, 2000, n - 2000, probes, (n - 2000) / max(1, probes),
                "= planted" if doc.get("culprit", {}).get("sha") == shas[9] else "WRONG"))
        os.remove(log) if os.path.exists(log) else None


def bisect_votes(binary):
    with tempfile.TemporaryDirectory() as d:
        log = d + "/../calls-b-%d.log" % os.getpid()
        env = history(d, 20, None, log)
        run([binary, "baseline"], d, env=env)
        run(["git", "add", "-A"], d)
        run(["git", "commit", "-qm", "baseline"], d)
        base = run(["git", "rev-parse", "HEAD"], d).stdout.strip()
        changes = [("noise", "q1")] + [("plant",) + tuple("q%d" % i for i in range(5, 15)) if i == 700
                                       else ("tweak",) if i % 4 == 0 else ("docs",) for i in range(1, 1024)]
        shas = fast_import(d, changes)
        subprocess.run(["rm", "-rf", d + "/.evals/results"])
        subprocess.run(["git", "update-ref", "-d", "refs/notes/evalguard"], cwd=d)
        if os.path.exists(log):
            os.remove(log)
        run(["git", "bisect", "start", "HEAD", base], d)
        p = run(["git", "bisect", "run", binary, "check", "--bisect"], d, env=env, check=False)
        steps = p.stdout.count("evalguard check --bisect: ")
        skipped = p.stdout.count("cannot be sided (skipped)")
        named = shas[700] in p.stdout and "is the first bad commit" in p.stdout
        n = calls(log)
        run(["git", "bisect", "reset"], d)
        print("4. git bisect run evalguard check --bisect, 1,024 commits, 20 cases:")
        print("   by votes:            %d steps, %d skipped, %d model calls (%d evaluations of 20); planted commit %s" % (
            steps, skipped, n, n // 20, "named" if named else "NOT named"))
        subprocess.run(["rm", "-rf", d + "/.evals/results"])
        subprocess.run(["git", "update-ref", "-d", "refs/notes/evalguard"], cwd=d)
        os.remove(log) if os.path.exists(log) else None
        p = run([binary, "blame", "--good", base, "--full-probes", "--format", "json"], d, env=env, check=False)
        doc = json.loads(p.stdout)
        n = calls(log)
        print("   blame --full-probes: %d model calls (%d evaluations of 20); culprit %s" % (
            n, n // 20, "= planted" if doc.get("culprit", {}).get("sha") == shas[700] else "WRONG"))
        os.remove(log) if os.path.exists(log) else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    run(["swift", "build"], ROOT)
    binary = run(["swift", "build", "--show-bin-path"], ROOT).stdout.strip() + "/evalguard"
    simulation()
    real(args.seed, binary)
    blame_partial(binary)
    bisect_votes(binary)


if __name__ == "__main__":
    main()
