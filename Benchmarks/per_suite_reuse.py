#!/usr/bin/env python3
"""Model requests per kind of edit, in a repository with two features.

A router suite (260 cases, the openai provider against the local stand-in server
Tests/Fixtures/openai_server.py, which logs every request it receives, with its
system prompt in prompts/router_system.txt) and a priority suite (200 cases, a command model
that appends a line per request to a file). After a first `evalguard check`, each edit is
committed and checked again, and the requests each model received are counted. Prints one table.

Usage: Benchmarks/per_suite_reuse.py [--binary PATH] [--router-cases N] [--priority-cases N]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(HERE, "Tests/Fixtures/openai_server.py")

CLASSIFIER = r'''
import json, os, sys
words = json.load(open("classifier/keywords.json"))
count = open(os.environ["PRIORITY_COUNTER"], "a", buffering=1)
for line in sys.stdin:
    r = json.loads(line)
    count.write("request\n")
    out = "high" if any(w in r["input"] for w in words) else "low"
    sys.stdout.write(json.dumps({"id": r["id"], "output": out}) + "\n")
    sys.stdout.flush()
'''


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def write(repo, path, text):
    os.makedirs(os.path.dirname(os.path.join(repo, path)) or repo, exist_ok=True)
    with open(os.path.join(repo, path), "w") as f:
        f.write(text)


def config(base_url, comment="", max_drop=0.01, priority_scorer="exact"):
    return "{\n  // Two features. " + comment + "\n" + json.dumps({
        "models": {
            "router": {"provider": "openai", "base_url": base_url, "model": "gpt-4o-mini", "jobs": 8,
                       "messages": [{"role": "system", "content": {"file": "prompts/router_system.txt"}},
                                    {"role": "user", "content": "{{input}}"}], "inputs": ["prompts/**"]},
            "priority": {"command": ["python3", "classifier/model.py"], "jobs": 2, "inputs": ["classifier/**"]},
        },
        "suites": {"router": {"cases": "cases/router.jsonl", "model": "router"},
                   "priority": {"cases": "cases/priority.jsonl", "model": "priority", "scorer": priority_scorer}},
        "thresholds": {"p95_latency_ms": False, "accuracy": {"max_drop": max_drop}},
    }, indent=2)[1:]


def cases(prefix, n, text):
    return "".join(json.dumps({"id": f"{prefix}{i}", "input": text(i), "expected": text(i)}) + "\n" for i in range(n))


def priority_cases(n):
    return "".join(json.dumps({"id": f"p{i}", "input": f"site down {i}" if i % 2 == 0 else f"question {i}",
                               "expected": "high" if i % 2 == 0 else "low"}) + "\n" for i in range(n))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=None, help="evalguard to run (default: swift build, debug)")
    parser.add_argument("--router-cases", type=int, default=260)
    parser.add_argument("--priority-cases", type=int, default=200)
    args = parser.parse_args()
    evalguard = args.binary and os.path.abspath(args.binary)
    if evalguard is None:
        subprocess.run(["swift", "build", "--package-path", HERE], check=True, stdout=subprocess.DEVNULL)
        evalguard = os.path.join(subprocess.run(["swift", "build", "--package-path", HERE, "--show-bin-path"],
                                                check=True, capture_output=True, text=True).stdout.strip(), "evalguard")

    with tempfile.TemporaryDirectory() as repo, tempfile.TemporaryDirectory() as logs:
        http_log, counter = os.path.join(logs, "http.jsonl"), os.path.join(logs, "priority.log")
        server = subprocess.Popen([sys.executable, SERVER, "--log", http_log], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            base_url = "http://127.0.0.1:%d/v1" % int(server.stdout.readline().split()[1])
            git(repo, "init", "-q", "-b", "main")
            git(repo, "config", "user.email", "bench@example.com")
            git(repo, "config", "user.name", "bench")
            write(repo, "prompts/router_system.txt", "Route the ticket to one team.\n")
            write(repo, "classifier/keywords.json", json.dumps(["outage", "down"]))
            write(repo, "classifier/model.py", CLASSIFIER)
            write(repo, ".evals/.gitignore", "results/\n")
            write(repo, ".evals/prices.json", json.dumps({"gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.6}}))
            write(repo, ".evals/evalguard.json", config(base_url))
            write(repo, ".evals/cases/router.jsonl", cases("r", args.router_cases, lambda i: f"ticket {i}"))
            write(repo, ".evals/cases/priority.jsonl", priority_cases(args.priority_cases))
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", "two features")
            env = {**os.environ, "PRIORITY_COUNTER": counter}

            def count(path):
                return sum(1 for _ in open(path)) if os.path.exists(path) else 0

            def step(label, edit):
                if edit:
                    edit()
                    git(repo, "add", "-A")
                    git(repo, "commit", "-q", "-m", label)
                before = count(http_log), count(counter)
                r = subprocess.run([evalguard, "run"], cwd=repo, env=env, capture_output=True, text=True)
                if r.returncode != 0:
                    sys.exit(f"{label}: evalguard run exited {r.returncode}: {r.stderr}")
                return label, count(http_log) - before[0], count(counter) - before[1]

            more = cases("r", args.router_cases, lambda i: f"ticket {i}") + cases("new", 5, lambda i: f"new ticket {i}")
            rows = [
                step("first run (nothing stored)", None),
                step("nothing changed", None),
                step("classifier/keywords.json (priority model only)",
                     lambda: write(repo, "classifier/keywords.json", json.dumps(["outage", "down", "broken"]))),
                step("a comment in evalguard.json", lambda: write(repo, ".evals/evalguard.json", config(base_url, "Backend team."))),
                step("a threshold", lambda: write(repo, ".evals/evalguard.json", config(base_url, "Backend team.", 0.05))),
                step("prices.json", lambda: write(repo, ".evals/prices.json",
                                                  json.dumps({"gpt-4o-mini": {"input_per_million": 0.3, "output_per_million": 1.2}}))),
                step("the priority scorer", lambda: write(repo, ".evals/evalguard.json",
                                                          config(base_url, "Backend team.", 0.05, "contains"))),
                step("5 router cases added", lambda: write(repo, ".evals/cases/router.jsonl", more)),
                step("prompts/router_system.txt (router prompt)",
                     lambda: write(repo, "prompts/router_system.txt", "Route the ticket to exactly one team.\n")),
            ]
        finally:
            server.terminate()
            server.wait()

    width = max(len(r[0]) for r in rows)
    print(f"{'edit':<{width}}  {'router (HTTP)':>13}  {'priority (command)':>18}")
    for label, http, command in rows:
        print(f"{label:<{width}}  {http:>13}  {command:>18}")


if __name__ == "__main__":
    main()
