#!/usr/bin/env python3
"""Model evaluations and wall time of `evalguard blame` next to `git bisect run`.

For 1,024 and 8,192 commits: builds a history with `git fast-import` (one commit in four changes a
model input, the others docs; a regression planted at a known commit), then, with nothing stored:
  - `git bisect run` with an equivalent script: run the model over the cases, exit 1 when accuracy
    fell below the good end's (no reuse of any kind, as a hand-written bisect script does);
  - `evalguard blame` (good end: the commit that last changed the baseline);
  - `evalguard blame` again (everything it needed is stored now).
Then stores a result for every commit (written directly, keyed as evalguard keys them) and times
`evalguard blame --good <root>` over the whole range next to a `git bisect run` whose script reads
each commit's stored result instead of running the model, and `evalguard log -n 10000` over a
10,000-commit history with every result stored, and both again once `git commit-graph write`
has run (as `git gc` does). Evaluations are counted by the model itself. Each figure is printed
beside its comparison, with the ratio; the all-stored line also says for how many commits blame
computed an evaluation key (stored results settle the rest). The stored results carry the keys
evalguard computes (checked against the bad end's real result), so blame can use them.

Usage: Benchmarks/blame.py [--sizes 1024,8192]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_loop import build  # noqa: E402

CASES = 20
PLANTED = ["q3", "q7", "q11", "q15"]
CONFIG = json.dumps({"model": {"command": ["python3", "model.py"], "jobs": 1, "inputs": ["model.py", "model/"]},
                     "suites": {"intents": {"cases": "cases/intents.jsonl", "scorer": "exact"}},
                     "thresholds": {"p95_latency_ms": False}}) + "\n"
CASE_FILE = "".join(json.dumps({"id": f"c{i}", "input": f"q{i}", "expected": f"q{i}"}) + "\n" for i in range(1, CASES + 1))


def model(counter):
    return f"""import json, os, sys
open({counter!r}, 'a').write('start\\n')
bug = set(open('model/bug.txt').read().split()) if os.path.exists('model/bug.txt') else set()
for line in sys.stdin:
    r = json.loads(line)
    sys.stdout.write(json.dumps({{'id': r['id'], 'output': 'wrong' if r['input'] in bug else r['input']}}) + '\\n')
    sys.stdout.flush()
"""


# The `git bisect run` script: evaluate the checked-out commit with the same model, no reuse.
BISECT_SCRIPT = """import json, subprocess, sys
cases = [json.loads(l) for l in open('.evals/cases/intents.jsonl')]
p = subprocess.run(['python3', 'model.py'], input=''.join(json.dumps({'id': c['id'], 'input': c['input']}) + '\\n' for c in cases),
                   capture_output=True, text=True)
out = {r['id']: r['output'] for r in map(json.loads, p.stdout.splitlines())}
accuracy = sum(out.get(c['id']) == c['expected'] for c in cases) / len(cases)
sys.exit(0 if accuracy >= float(sys.argv[1]) - 0.01 else 1)
"""

# The `git bisect run` script when every commit has a stored result: read it, run nothing.
BISECT_STORED_SCRIPT = """import json, subprocess, sys
sha = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True).stdout.strip()
result = json.load(open(f'.evals/results/{sha}.json'))
sys.exit(0 if result['overall']['accuracy'] >= float(sys.argv[1]) - 0.01 else 1)
"""


def blob_id(text):
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def run(command, cwd, **kw):
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, **kw)


def timed(command, cwd):
    start = time.perf_counter()
    done = run(command, cwd)
    return (time.perf_counter() - start) * 1000, done


def make_history(work, n, plant, counter, evalguard):
    """A repository: evals + model, the baseline, then n commits; returns (repo, files per commit)."""
    repo = f"{work}/repo{n}"
    os.makedirs(f"{repo}/.evals/cases")
    os.makedirs(f"{repo}/model")
    git = lambda *a: run(["git", *a], repo, check=True).stdout.strip()  # noqa: E731
    git("init", "-q", "-b", "main")
    git("config", "user.email", "bench@example.com")
    git("config", "user.name", "bench")
    files = {"model.py": model(counter), "model/params.txt": "0\n", ".evals/evalguard.json": CONFIG,
             ".evals/cases/intents.jsonl": CASE_FILE, ".evals/.gitignore": "results/\n"}
    for path, text in files.items():
        with open(f"{repo}/{path}", "w") as f:
            f.write(text)
    git("add", "-A")
    git("commit", "-q", "-m", "evals")
    run([evalguard, "baseline"], repo, check=True)
    git("add", "-A")
    git("commit", "-q", "-m", "baseline")
    stream, states = [], []
    state = dict(files)
    for i in range(n):
        if i == plant:
            path, text, subject = "model/bug.txt", " ".join(PLANTED) + "\n", "Rework the intent parser"
        elif i % 4 == 0:
            path, text, subject = "model/params.txt", f"{i}\n", f"Tune parameter {i}"
        else:
            path, text, subject = "docs/notes.md", f"note {i}\n", f"Document step {i}"
        state = dict(state, **{path: text})
        states.append(state)
        stream.append(f"commit refs/heads/main\ncommitter bench <bench@example.com> {1700000000 + 60 * i} +0000\n"
                      f"data {len(subject)}\n{subject}\n" + ("from refs/heads/main^0\n" if i == 0 else "")
                      + f"M 100644 inline {path}\ndata {len(text.encode())}\n{text}\n")
    run(["git", "fast-import", "--quiet"], repo, input="".join(stream), check=True)
    git("reset", "-q", "--hard")
    run(["rm", "-rf", f"{repo}/.evals/results"], repo)
    run(["git", "update-ref", "-d", "refs/notes/evalguard"], repo)
    return repo, states


def key_of(state, format_version):
    """evalguard's evaluation key (Git/EvaluationKey.swift) for a commit whose files are `state`,
    with the result format version the key includes (a stored result's `format`)."""
    inputs = sorted(p for p in state if p == "model.py" or p.startswith("model/") or p in (".evals/evalguard.json", ".evals/cases/intents.jsonl"))
    manifest = f"evalguard evaluation key\nformat {format_version}\n" + "".join(f"{blob_id(state[p])} {p}\n" for p in inputs)
    return blob_id(manifest)


def store_everything(repo, states, shas, good_result, bad_result, plant):
    """Writes a result file for every commit and the key index, as `evalguard run --commit` would."""
    if key_of(states[-1], bad_result["format"]) != bad_result["key"]:
        sys.exit("the benchmark's evaluation keys differ from evalguard's (Git/EvaluationKey.swift): update key_of")
    os.makedirs(f"{repo}/.evals/results/keys", exist_ok=True)
    for i, (sha, state) in enumerate(zip(shas, states)):
        key = key_of(state, good_result["format"])
        result = dict(bad_result if i >= plant else good_result, commit=sha, key=key)
        with open(f"{repo}/.evals/results/{sha}.json", "w") as f:
            json.dump(result, f, indent=2, sort_keys=True)
        with open(f"{repo}/.evals/results/keys/{key}", "w") as f:
            f.write(sha + "\n")


def count(counter):
    try:
        with open(counter) as f:
            return len(f.read().splitlines())
    except FileNotFoundError:
        return 0


def bench(evalguard, work, n):
    counter = f"{work}/counter{n}"
    plant = int(n * 0.61)
    repo, states = make_history(work, n, plant, counter, evalguard)
    shas = run(["git", "rev-list", "--reverse", f"HEAD~{n}..HEAD"], repo).stdout.split()
    good = run(["git", "rev-parse", f"HEAD~{n}"], repo).stdout.strip()
    with open(f"{work}/bisect.py", "w") as f:
        f.write(BISECT_SCRIPT)

    if os.path.exists(counter):
        os.remove(counter)
    start = time.perf_counter()
    run(["git", "bisect", "start", "HEAD", good], repo, check=True)
    bisect = run(["git", "bisect", "run", "python3", f"{work}/bisect.py", "1.0"], repo)
    bisect_ms = (time.perf_counter() - start) * 1000
    found = bisect.stdout.split(" is the first bad commit")[0].split()[-1] if "first bad commit" in bisect.stdout else "?"
    run(["git", "bisect", "reset"], repo)
    bisect_evals = count(counter)

    os.remove(counter)
    ms1, first = timed([evalguard, "blame", "--format", "json"], repo)
    answer = json.loads(first.stdout)
    evals1 = count(counter)
    ms2, second = timed([evalguard, "blame", "--format", "json"], repo)
    evals2 = count(counter) - evals1
    culprit = (answer.get("culprit") or {}).get("sha", "?")
    ok = culprit == shas[plant] and found == shas[plant] and json.loads(second.stdout)["evaluations"] == 0

    run([evalguard, "run", "--commit", good], repo, check=True)  # templates for the stored results
    run([evalguard, "run", "--commit", shas[-1]], repo, check=True)
    good_result = json.load(open(f"{repo}/.evals/results/{good}.json"))
    bad_result = json.load(open(f"{repo}/.evals/results/{shas[-1]}.json"))
    store_everything(repo, states, shas, good_result, bad_result, plant)
    before = count(counter)
    ms3, third = timed([evalguard, "blame", "--good", good, "--format", "json"], repo)
    full = json.loads(third.stdout)
    evals3 = count(counter) - before
    ok = ok and (full.get("culprit") or {}).get("sha") == shas[plant] and evals3 == 0

    with open(f"{work}/bisect_stored.py", "w") as f:
        f.write(BISECT_STORED_SCRIPT)
    start = time.perf_counter()
    run(["git", "bisect", "start", "HEAD", good], repo, check=True)
    stored_bisect = run(["git", "bisect", "run", "python3", f"{work}/bisect_stored.py", "1.0"], repo)
    stored_bisect_ms = (time.perf_counter() - start) * 1000
    run(["git", "bisect", "reset"], repo)
    ok = ok and f"{shas[plant]} is the first bad commit" in stored_bisect.stdout

    # With the commit-graph `git gc` writes (both sides read parents from it).
    run(["git", "commit-graph", "write", "--reachable"], repo, check=True)
    ms4, fourth = timed([evalguard, "blame", "--good", good, "--format", "json"], repo)
    ok = ok and (json.loads(fourth.stdout).get("culprit") or {}).get("sha") == shas[plant]
    start = time.perf_counter()
    run(["git", "bisect", "start", "HEAD", good], repo, check=True)
    graph_bisect = run(["git", "bisect", "run", "python3", f"{work}/bisect_stored.py", "1.0"], repo)
    graph_bisect_ms = (time.perf_counter() - start) * 1000
    run(["git", "bisect", "reset"], repo)
    ok = ok and f"{shas[plant]} is the first bad commit" in graph_bisect.stdout

    print(f"{n:5d} commits ({answer['distinct_keys']} distinct evaluation keys), regression planted at commit {plant + 1}:")
    print(f"  git bisect run (equivalent script)       {bisect_evals:3d} evaluations  {bisect_ms:8.0f} ms")
    print(f"  evalguard blame, nothing stored          {evals1:3d} evaluations  {ms1:8.0f} ms   "
          f"ratio {ms1 / bisect_ms:.2f}x git bisect run (target: at most 1x, same evaluations)")
    print(f"  evalguard blame again                    {evals2:3d} evaluations  {ms2:8.0f} ms")
    print(f"  git bisect run reading stored results      0 evaluations  {stored_bisect_ms:8.0f} ms")
    print(f"  evalguard blame --good <start>, all stored {evals3:3d} evaluations  {ms3:8.0f} ms   "
          f"ratio {ms3 / stored_bisect_ms:.2f}x that bisect (target: under 600 ms; "
          f"evaluation keys read for {full['keyed_commits']} of {full['commits_in_range']} commits)")
    print(f"  with a commit-graph: that bisect {graph_bisect_ms:8.0f} ms, evalguard blame {ms4:8.0f} ms   "
          f"ratio {ms4 / graph_bisect_ms:.2f}x")
    if not ok:
        sys.exit(f"wrong answer: planted {shas[plant][:7]}, bisect {found[:7]}, blame {culprit[:7]}\n{first.stderr}\n{third.stderr}")
    return repo, states, shas, good_result, bad_result, plant, counter


def bench_log(evalguard, work):
    n = 10_000
    counter = f"{work}/counter-log"
    repo, states = make_history(work, n, n // 2, counter, evalguard)
    shas = run(["git", "rev-list", "--reverse", f"HEAD~{n}..HEAD"], repo).stdout.split()
    run([evalguard, "run", "--commit", shas[0]], repo, check=True)
    run([evalguard, "run", "--commit", shas[-1]], repo, check=True)
    good_result = json.load(open(f"{repo}/.evals/results/{shas[0]}.json"))
    bad_result = json.load(open(f"{repo}/.evals/results/{shas[-1]}.json"))
    store_everything(repo, states, shas, good_result, bad_result, n // 2)
    times = []
    for _ in range(3):
        ms, done = timed([evalguard, "log", "-n", "10000"], repo)
        lines = [line for line in done.stdout.splitlines() if line[:7] in {s[:7] for s in shas[-3:]}]
        if done.returncode != 0 or not lines:
            sys.exit(f"log failed: {done.stderr}")
        times.append(ms)
    rows = done.stdout.count("\n")
    print(f"evalguard log -n 10000 over 10,000 stored results: median {sorted(times)[1]:.0f} ms  ({rows} lines)   (target: under 1 s)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1024,8192")
    parser.add_argument("--no-log", action="store_true")
    args = parser.parse_args()
    evalguard = build(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as work:
        for n in map(int, args.sizes.split(",")):
            bench(evalguard, work, n)
        if not args.no_log:
            bench_log(evalguard, work)


if __name__ == "__main__":
    main()
