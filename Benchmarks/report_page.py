#!/usr/bin/env python3
"""Size and load time of `evalguard report`'s page for a 10,000-case, 1,000-commit history.

Builds a repository with four suites of 2,500 cases each and 1,000 first-parent commits written
with `git fast-import` (one in five changes a model input, so 200 distinct evaluation keys; the
others change docs), the baseline committed at the start and raised at commit 600, and a result
stored for every evaluation key, written directly the way `evalguard run` writes them (answers
drift from key to key; the last key regresses about 3% of the cases and fixes a few). HEAD's
result is stored, so `evalguard report` runs no model. Then prints the page's size, the time
`evalguard report -n 1000` took, and the page's load time in headless Chromium (from navigation
to the load event, and the browser's own navigation timing), the median of three loads.

Targets: the page under 5 MB, loaded in under 2 s.

Usage: Benchmarks/report_page.py [--evalguard PATH] [--keep DIR]
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(os.path.dirname(here), "Tests", "Fixtures"))
from core_loop import build, git  # noqa: E402
from chromium_page import load  # noqa: E402

SUITES = ["intents", "extraction", "replies", "routing"]
PER_SUITE = 2_500
COMMITS = 1_000
KEY_EVERY = 5
RAISE_AT = 600
LABELS = ["track_order", "cancel_order", "refund_status", "change_address", "payment_issue", "promo_code"]

MODEL = """import json, sys
for line in sys.stdin:
    r = json.loads(line)
    sys.stdout.write(json.dumps({'id': r['id'], 'output': r['input'], 'cost_usd': 0.0004}) + '\\n')
    sys.stdout.flush()
"""
CONFIG = json.dumps({"model": {"command": ["python3", "model.py"], "jobs": 2, "inputs": ["model.py", "model/"]},
                     "suites": {s: {"cases": f"cases/{s}.jsonl", "scorer": "exact"} for s in SUITES}}) + "\n"


def blob_id(text):
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def answer(suite, i, right):
    label = LABELS[i % len(LABELS)] if right else LABELS[(i + 1 + i % 3) % len(LABELS)]
    return f"The customer asks about order {i}: route to {label} and reply politely"


def case_file(suite):
    return "".join(json.dumps({"id": f"{suite}-{i:05d}", "input": f"message {i} of {suite}: where is my order {i}?",
                               "expected": answer(suite, i, True)}) + "\n" for i in range(PER_SUITE))


def key_of(files):
    inputs = sorted(p for p in files if p == "model.py" or p.startswith("model/") or p == ".evals/evalguard.json"
                    or p.startswith(".evals/cases/"))
    manifest = "evalguard evaluation key\nformat 1\n" + "".join(f"{blob_id(files[p])} {p}\n" for p in inputs)
    return blob_id(manifest)


def quantile(sorted_values, q):
    if not sorted_values:
        return 0
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def metrics(cases):
    lat = sorted(c["latency_ms"] for c in cases)
    passed = sum(c["passed"] for c in cases)
    total = sum(c["cost_usd"] for c in cases)
    return {"cases": len(cases), "passed": passed, "errors": 0, "timeouts": 0, "accuracy": passed / len(cases),
            "p50_latency_ms": quantile(lat, .5), "p95_latency_ms": quantile(lat, .95), "p99_latency_ms": quantile(lat, .99),
            "mean_latency_ms": sum(lat) / len(lat), "avg_cost_usd": total / len(cases), "total_cost_usd": total}


def passes(i, j, last):
    """Case i under the j-th key: hard cases fail; the threshold drifts; the last key regresses."""
    difficulty = (i * 7919) % 1000
    threshold = 90 + 25 * math.sin(j / 9) + (30 if last else 0)
    toggled = (i * 31 + j * 17) % 997 == 0 or (last and (i * 13) % 409 == 0)
    return (difficulty >= threshold) != toggled


def result(commit, key, j, last, files):
    suites, everything = [], []
    for s in SUITES:
        cases = []
        for i in range(PER_SUITE):
            ok = passes(i, j, last)
            cases.append({"id": f"{s}-{i:05d}", "passed": ok, "score": 1 if ok else 0,
                          "latency_ms": round(18 + (i * 37 % 23) + 4 * math.sin(j / 7) + (6 if last else 0), 3),
                          "cost_usd": 0.0004 + 0.00001 * (j % 5), "output": json.dumps(answer(s, i, ok))})
        everything += cases
        suites.append({"name": s, "cases_file": f".evals/cases/{s}.jsonl", "cases_digest": blob_id(files[f".evals/cases/{s}.jsonl"]),
                       "scorer": "exact", "metrics": metrics(cases), "cases": cases})
    return {"format": 1, "evalguard_version": "0.1.0", "commit": commit, "dirty": False, "key": key,
            "created_at": "2026-11-30T12:00:00Z", "config_digest": blob_id(files[".evals/evalguard.json"]),
            "model": {"command": ["python3", "model.py"]}, "suites": suites, "overall": metrics(everything)}


def baseline(res):
    return json.dumps({"format": 1, "from_commit": res["commit"], "dirty": False, "overall": res["overall"],
                       "suites": {s["name"]: {"metrics": s["metrics"],
                                              "cases": {c["id"]: {"passed": c["passed"], "score": c["score"], "cost_usd": c["cost_usd"]}
                                                        for c in s["cases"]},
                                              "latencies_ms": sorted(c["latency_ms"] for c in s["cases"])}
                                  for s in res["suites"]}}, sort_keys=True) + "\n"


def import_commits(repo, changes, start_time):
    """Appends commits ({path: text or None}, subject) to main with fast-import; returns their shas."""
    stream = []
    for n, (subject, edits) in enumerate(changes):
        stream.append(f"commit refs/heads/main\ncommitter bench <bench@example.com> {start_time + 60 * n} +0000\n"
                      f"data {len(subject.encode())}\n{subject}\n" + ("from refs/heads/main^0\n" if n == 0 else ""))
        for path, text in edits.items():
            stream.append(f"M 100644 inline {path}\ndata {len(text.encode())}\n{text}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input="".join(stream), text=True, check=True)
    return git(repo, "rev-list", "--reverse", "-n", str(len(changes)), "main").split()


def make(repo):
    os.makedirs(f"{repo}/.evals/results/keys")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "bench@example.com")
    git(repo, "config", "user.name", "bench")
    files = {"model.py": MODEL, "model/params.txt": "0\n", ".evals/evalguard.json": CONFIG, ".evals/.gitignore": "results/\n",
             **{f".evals/cases/{s}.jsonl": case_file(s) for s in SUITES}}
    for path, text in files.items():
        os.makedirs(os.path.dirname(f"{repo}/{path}") or repo, exist_ok=True)
        with open(f"{repo}/{path}", "w") as f:
            f.write(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Add evals")
    root = git(repo, "rev-parse", "HEAD")
    plan, state, j = [], dict(files), 0
    for n in range(COMMITS):
        if n % KEY_EVERY == 0 and n > 0:
            j += 1
            edit, subject = {"model/params.txt": f"{n}\n"}, f"Tune the model, step {j}"
        else:
            edit, subject = {"docs/notes.md": f"note {n}\n"}, f"Document step {n}"
        state = dict(state, **edit)
        plan.append((subject, edit, j, key_of(state)))
    keys_total = j
    results, written = {}, set()

    def store(sha, key, j):
        if key in written:
            return results[key]
        res = result(sha, key, j, j == keys_total, files)
        with open(f"{repo}/.evals/results/{sha}.json", "w") as f:
            json.dump(res, f, sort_keys=True)
        with open(f"{repo}/.evals/results/keys/{key}", "w") as f:
            f.write(sha + "\n")
        written.add(key)
        results[key] = res
        return res

    base = store(root, key_of(files), 0)
    start = int(git(repo, "log", "-1", "--format=%ct")) + 60
    first = [(s, e) for s, e, _, _ in plan[:RAISE_AT]]
    first[0] = ("Record the baseline", dict(first[0][1], **{".evals/baseline.json": baseline(base)}))
    shas = import_commits(repo, first, start)
    for sha, (_, _, j, key) in zip(shas, plan[:RAISE_AT]):
        store(sha, key, j)
    raised = results[plan[RAISE_AT - 1][3]]
    rest = [(s, e) for s, e, _, _ in plan[RAISE_AT:]]
    rest[0] = ("Raise the baseline", dict(rest[0][1], **{".evals/baseline.json": baseline(raised)}))
    more = import_commits(repo, rest, start + 60 * RAISE_AT)
    for sha, (_, _, j, key) in zip(more, plan[RAISE_AT:]):
        store(sha, key, j)
    git(repo, "reset", "-q", "--hard")
    return len(written)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--evalguard", help="use this binary instead of building a release one")
    parser.add_argument("--keep", help="build the history in this directory and keep it")
    args = parser.parse_args()
    evalguard = os.path.abspath(args.evalguard) if args.evalguard else build(os.path.dirname(here))
    with tempfile.TemporaryDirectory() as work:
        repo = args.keep or f"{work}/repo"
        started = time.perf_counter()
        keys = make(repo)
        print(f"history: {COMMITS} commits, {len(SUITES) * PER_SUITE:,} cases in {len(SUITES)} suites, {keys} stored results "
              f"(built in {time.perf_counter() - started:.0f} s)")
        page = f"{work}/report.html"
        started = time.perf_counter()
        done = subprocess.run([evalguard, "report", "-n", str(COMMITS + 1), "-o", page], cwd=repo, capture_output=True, text=True)
        report_ms = (time.perf_counter() - started) * 1000
        if done.returncode not in (0, 1) or not os.path.exists(page):
            sys.exit(f"evalguard report failed (exit {done.returncode}): {done.stderr}")
        if "reusing the stored result" not in done.stderr:
            sys.exit(f"the model ran: HEAD's stored result was not found\n{done.stderr}")
        size = os.path.getsize(page)
        loads = [load(page) for _ in range(3)]
        for seen in loads:
            if seen["console"] or seen["exceptions"] or seen["log"]:
                sys.exit(f"the page logged errors: {seen['console']} {seen['exceptions']} {seen['log']}")
        wall = sorted(s["load_ms"] for s in loads)[1]
        nav = sorted(s["navigation"]["load"] for s in loads)[1]
        seen = loads[0]
        print(f"evalguard report -n {COMMITS + 1}: {report_ms:.0f} ms, exit {done.returncode} ({done.stdout.splitlines()[0]})")
        print(f"page: {size / 1e6:.2f} MB  (target: under 5 MB); {len(seen['svgs'])} charts, "
              f"{sum(seen['svgChildren'])} hover markers, {seen['flips']} flipped cases shown")
        print(f"headless Chromium, median of 3 loads from file://: {wall:.0f} ms to the load event, "
              f"navigation timing loadEventEnd {nav:.0f} ms  (target: under 2 s)")
        if size >= 5e6 or wall >= 2000:
            sys.exit("over target")


if __name__ == "__main__":
    main()
