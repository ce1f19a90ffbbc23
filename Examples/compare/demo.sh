#!/usr/bin/env bash
# Which model should we ship? `evalguard compare` on the trade-off every team meets: the current
# model is accurate and slow (gpt-4o, 400 ms a request), a fine-tune is fast and cheap
# (ft:gpt-4o-mini:acme:v3, 20 ms) and gets about 3% of the tickets wrong.
#
# Both models are served on 127.0.0.1 by the test suite's stand-in OpenAI server
# (Tests/Fixtures/openai_server.py, with --model-delay and --model-error-rate
# per model), which logs every request; prices come from the repository's .evals/prices.json.
# Nothing leaves the machine.
#
# Usage: Examples/compare/demo.sh [compare.html]   (from anywhere; builds evalguard first)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
page="${1:-}"
[ -n "$page" ] && page="$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
. "$root/Examples/lib.sh"

fine_tune="ft:gpt-4o-mini:acme:v3"
python3 "$root/Tests/Fixtures/openai_server.py" --log "$work/requests.log" \
  --model-delay gpt-4o=400 --model-delay "$fine_tune=20" --model-error-rate "$fine_tune=0.03" >"$work/port" &
server=$!
port="$(await_port "$work/port")"
requests() { lines "$work/requests.log"; }

scratch_repo "$work/helpdesk"
python3 "$here/tickets.py" .evals/cases/tickets.jsonl
cat >.evals/prices.json <<JSON
{
  "gpt-4o": {"input_per_million": 2.50, "output_per_million": 10.00},
  "$fine_tune": {"input_per_million": 0.30, "output_per_million": 1.20}
}
JSON
cat >.evals/evalguard.json <<JSON
{
  // The reply drafter in production.
  "models": {
    "drafter": {"provider": "openai", "base_url": "http://127.0.0.1:$port/v1", "model": "gpt-4o", "jobs": 16,
                "messages": [{"role": "system", "content": "Restate the customer's request."},
                             {"role": "user", "content": "{{input}}"}]}
  },
  "suites": {"tickets": {"cases": "cases/tickets.jsonl", "model": "drafter", "scorer": "exact"}},
  "thresholds": {"p95_latency_ms": false},
  // Candidates, each merged over the configuration above by evalguard compare.
  "variants": {
    "ft-mini": {"models": {"drafter": {"model": "$fine_tune"}}},
    "prompt-b": {"models": {"drafter": {"messages": [{"role": "system", "content": "Restate it in the customer's words."},
                                                     {"role": "user", "content": "{{input}}"}]}}}
  }
}
JSON
git add -A && git commit -qm "Reply drafter on gpt-4o, with two candidates"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step "evalguard baseline && git commit   # the current model's figures, reviewed"
"$evalguard" baseline >/dev/null && git add -A && git commit -qm "Baseline" && echo "committed .evals/baseline.json"
step "evalguard compare --margin 0.05   # each variant over the same 200 tickets"
"$evalguard" compare --margin 0.05 || echo "(exit code $?: a variant is not shown within the margin)"
echo "(model requests so far: $(requests))"

step "evalguard compare --variant ft-mini --format markdown ${page:+--html $page}   # again: every answer is stored"
"$evalguard" compare --variant ft-mini --format markdown ${page:+--html "$page"}
echo "(model requests so far: $(requests): none new)"

step "evalguard compare --adopt ft-mini   # the configuration and the baseline, for review"
"$evalguard" compare --adopt ft-mini
git status --short
git diff .evals/evalguard.json
