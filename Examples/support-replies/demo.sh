#!/usr/bin/env bash
# A support-reply feature judged by a rubric, end to end and offline.
#
# The feature (draft_reply.py) drafts replies to customer tickets; a judge model grades each reply
# against rubric.md. The judge is an OpenAI-compatible server on 127.0.0.1: the test suite's
# stand-in (Tests/Fixtures/openai_server.py --judge), which passes a reply that
# contains the case's expected text and logs every request. Nothing leaves the machine.
#
# Usage: Examples/support-replies/demo.sh   (from anywhere; builds evalguard first)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/Examples/lib.sh"

python3 "$root/Tests/Fixtures/openai_server.py" --judge --log "$work/judge.log" >"$work/port" &
server=$!
port="$(await_port "$work/port")"
judge_requests() { lines "$work/judge.log"; }

scratch_repo "$work/shop"
mkdir -p support
cp "$here/draft_reply.py" "$here/rubric.md" support/
cp "$here/replies.jsonl" .evals/cases/
cat >.evals/evalguard.json <<JSON
{
  "models": {
    "drafter": {"command": ["python3", "support/draft_reply.py"], "inputs": ["support/*.py"]},
    "grader": {"provider": "openai", "base_url": "http://127.0.0.1:$port/v1", "model": "judge-1",
               "messages": [{"role": "user", "content": "{{input}}"}]}
  },
  "suites": {
    "replies": {"cases": "cases/replies.jsonl", "model": "drafter",
                "scorer": {"type": "judge", "judge": "grader", "rubric": {"file": "support/rubric.md"}}}
  },
  "thresholds": {"p95_latency_ms": false}
}
JSON
git add -A && git commit -qm "Support replies, judged by a rubric"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step "evalguard run            # the feature drafts 12 replies, the judge grades them"
"$evalguard" run
echo "(judge requests so far: $(judge_requests))"

step "evalguard baseline && git commit"
"$evalguard" baseline >/dev/null && git add -A && git commit -qm "Baseline" && echo "committed .evals/baseline.json"

step "edit the feature's code (same replies), evalguard check   # the judge answers from its cache"
printf '# Drafts are reviewed weekly.\n' >>support/draft_reply.py
"$evalguard" check || true
echo "(judge requests so far: $(judge_requests): none new)"

step "evalguard judge calibrate   # the judge against the humans' verdicts in the cases"
"$evalguard" judge calibrate

step "edit the rubric, evalguard check   # a different judge: refused, exit 2"
printf 'Replies must also thank the customer.\n' >>support/rubric.md
set +e
"$evalguard" check
echo "(exit code $?)"
