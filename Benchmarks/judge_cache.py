#!/usr/bin/env python3
"""A judge-cached re-run of 1,000 judged cases: judge requests and evalguard's CPU per case.

Starts the local OpenAI-compatible stand-in (Tests/Fixtures/openai_server.py
--judge, which logs every request), makes a scratch repository with an echo model and a suite
judged by it, runs `evalguard run` once (every answer is judged), then `evalguard run --fresh
--timings` (the model is asked again and answers the same, so every judge answer comes from the
judge cache). The same re-run with a `contains` scorer instead of the judge gives what the judge
cache adds per case. Prints the judge requests of each run and evalguard's own CPU per case
(RUSAGE_SELF: the model's processes are not counted) beside the target: the re-run makes 0
judge requests, and the judge cache costs under 50 µs of evalguard CPU per case.

Usage: Benchmarks/judge_cache.py [--binary PATH] [--cases N]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(HERE, "Tests/Fixtures/openai_server.py")
ECHO = r'''
import sys
out = sys.stdout
for line in sys.stdin:
    i = line.index(',"input":')
    out.write(line[:i] + ',"output":' + line[i + 9:-2] + '}\n')
    out.flush()
'''


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def repository(path, cases, scorer, base_url):
    os.makedirs(os.path.join(path, ".evals/cases"))
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "bench@example.com")
    git(path, "config", "user.name", "bench")
    files = {
        "echo.py": ECHO, ".evals/.gitignore": "results/\n",
        ".evals/cases/replies.jsonl": "".join(json.dumps({"id": f"c{i}", "input": f"reply {i}: refund {'sent' if i % 3 else 'denied'}",
                                                          "expected": "sent"}) + "\n" for i in range(cases)),
        ".evals/evalguard.json": json.dumps({
            "models": {"feature": {"command": ["python3", "echo.py"], "jobs": 2, "inputs": ["echo.py"]},
                       "grader": {"provider": "openai", "base_url": base_url, "model": "judge-1", "jobs": 16,
                                  "messages": [{"role": "user", "content": "{{input}}"}]}},
            "suites": {"replies": {"cases": "cases/replies.jsonl", "model": "feature", "scorer": scorer}},
            "thresholds": {"p95_latency_ms": False}}),
    }
    for name, text in files.items():
        with open(os.path.join(path, name), "w") as f:
            f.write(text)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "bench")


def run(binary, repo, *args):
    p = subprocess.run([binary, "run", *args], cwd=repo, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"evalguard run {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p.stderr


def cpu_per_case(stderr):
    m = re.search(r"evalguard CPU: (\d+) ms total, (\d+) µs per case", stderr)
    return int(m.group(2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary")
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()
    binary = args.binary
    if not binary:
        binary = subprocess.run([os.path.join(HERE, "scripts", "build-release.sh")], check=True,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as work:
        log = os.path.join(work, "judge.log")
        server = subprocess.Popen([sys.executable, SERVER, "--judge", "--log", log], stdout=subprocess.PIPE, text=True)
        try:
            port = int(server.stdout.readline().split()[1])
            base = f"http://127.0.0.1:{port}/v1"
            requests = lambda: sum(1 for _ in open(log)) if os.path.exists(log) else 0
            judged, plain = os.path.join(work, "judged"), os.path.join(work, "plain")
            repository(judged, args.cases, {"type": "judge", "judge": "grader", "rubric": "The reply says the refund was sent."}, base)
            repository(plain, args.cases, "contains", base)
            run(binary, judged)
            first = requests()
            # Median of three re-runs each: the machine is shared.
            judged_cpu = sorted(cpu_per_case(run(binary, judged, "--fresh", "--timings")) for _ in range(3))[1]
            rerun = requests() - first
            run(binary, plain)
            plain_cpu = sorted(cpu_per_case(run(binary, plain, "--fresh", "--timings")) for _ in range(3))[1]
        finally:
            server.kill()
            server.wait()
    share = judged_cpu - plain_cpu
    print(f"judge-cached re-run of {args.cases} judged cases (evalguard run --fresh: the model is asked again, answers the same)")
    print(f"  judge requests: first run {first}, three re-runs {rerun}          target: 0 on re-runs   {'OK' if rerun == 0 else 'MISSED'}")
    print(f"  evalguard CPU per case, whole re-run: judged {judged_cpu} µs, same suite scored by 'contains' {plain_cpu} µs")
    print(f"  the judge cache's share: {share} µs per case                     target: < 50 µs        {'OK' if share < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
