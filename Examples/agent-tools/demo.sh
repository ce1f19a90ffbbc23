#!/usr/bin/env bash
# A tool-calling support agent gated by evalguard, against a real model, offline.
#
# The agent (system.txt, tools.json) handles refund requests: it should call lookup_order with the
# customer's order id, then refund. The model is SmolLM2-135M-Instruct served by llama.cpp on
# 127.0.0.1 (scripts/real-model/install.sh installs it, once: it compiles llama.cpp, 7 to 19
# minutes on 2 cores; this script runs it, and it does nothing when all is installed).
# Two suites over the same cases (refunds.jsonl):
#   first-call   one request; tool_choice names lookup_order, so the model picks its arguments.
#                Scored by the tool-call scorer against each case's expected.tool_calls.
#   refund-flow  an agent loop of up to 3 requests, tool_choice "auto": evalguard answers each
#                call from the case's canned tool_results and asks again. Scored by the
#                trajectory scorer against each case's expected.steps.
# Then a teammate renames lookup_order's argument; check refuses the change and blame names it.
# A 135M model makes real mistakes (a wrong order id, a refund without a lookup): they are the
# data evalguard gates on, shown with their reasons.
#
# Usage: Examples/agent-tools/demo.sh   (from anywhere; builds evalguard first)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/Examples/lib.sh"
model="$("$root/scripts/real-model/install.sh" | tail -n 1)"

echo "serving $(basename "$model") on 127.0.0.1 (llama-cpp-python, chatml-function-calling)"
python3 "$root/scripts/real-model/serve.py" --model "$model" --log "$work/requests.log" >"$work/port" 2>"$work/server.err" &
server=$!
port="$(await_port "$work/port" "$work/server.err")"
requests() { lines "$work/requests.log"; }

scratch_repo "$work/shop"
mkdir -p agent
cp "$here/system.txt" "$here/tools.json" agent/
cp "$here/refunds.jsonl" .evals/cases/
# A local model costs nothing per token; the table makes each answer's cost 0, not unknown.
printf '{"smollm2": {"input_per_million": 0, "output_per_million": 0}}\n' >.evals/prices.json
cat >.evals/evalguard.json <<JSON
{
  "models": {
    // The agent's first move: made to call lookup_order, it chooses the order id.
    "agent": {"provider": "openai", "base_url": "http://127.0.0.1:$port/v1", "model": "smollm2",
              "messages": [{"role": "system", "content": {"file": "agent/system.txt"}}, "{{input.messages}}"],
              "tools": {"file": "agent/tools.json"},
              "tool_choice": {"type": "function", "function": {"name": "lookup_order"}}, "inputs": ["agent/"],
              "temperature": 0, "seed": 7, "max_tokens": 40, "jobs": 1, "timeout_s": 300},
    // The whole conversation: the model picks its tools, evalguard answers them from tool_results.
    "agent-loop": {"provider": "openai", "base_url": "http://127.0.0.1:$port/v1", "model": "smollm2",
                   "messages": [{"role": "system", "content": {"file": "agent/system.txt"}}, "{{input.messages}}"],
                   "tools": {"file": "agent/tools.json"}, "tool_choice": "auto", "max_steps": 3, "inputs": ["agent/"],
                   "temperature": 0, "seed": 7, "max_tokens": 40, "jobs": 1, "timeout_s": 300}
  },
  "suites": {
    "first-call": {"cases": "cases/refunds.jsonl", "model": "agent",
                   "scorer": {"type": "tool-call", "strings": "case-insensitive"}},
    "refund-flow": {"cases": "cases/refunds.jsonl", "model": "agent-loop",
                    "scorer": {"type": "trajectory", "match": "in_order", "max_steps": 3}}
  },
  // Eight cases can hardly make a drop significant: one below the baseline fails rather than passes.
  "on_inconclusive": "fail",
  // Asking the flipped cases again would give the same answers: temperature 0 and a seed.
  "settle": {"max_repeats": 0},
  // A model on a shared CPU is no latency benchmark.
  "thresholds": {"p95_latency_ms": false}
}
JSON
git add -A && git commit -qm "Support agent: lookup_order, then refund"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
# Each case's verdict and reason, from the stored result of the current commit.
cases() {
  python3 - ".evals/results/$(git rev-parse HEAD).json" <<'PY'
import json, sys
for suite in json.load(open(sys.argv[1]))["suites"]:
    for case in suite["cases"]:
        mark = "pass" if case["passed"] else "ERROR" if case.get("error") else "FAIL"
        print(f'  {suite["name"]:<12} {case["id"]:<14} {mark:<5}  {case.get("error") or case.get("reason") or ""}'.rstrip())
PY
}

step "evalguard run            # 8 refund requests, two suites, the real model"
"$evalguard" run
cases
echo "(model requests so far: $(requests))"

step "evalguard baseline && git commit"
"$evalguard" baseline >/dev/null && git add -A && git commit -qm "Baseline" && echo "committed .evals/baseline.json"

step "a teammate renames lookup_order's argument to id (agent/tools.json), among other commits"
for i in 1 2 3; do printf 'note %s\n' "$i" >>NOTES.md; git add -A; git commit -qm "Notes $i"; done
sed -i 's/"order_id": {"type": "string", "description"/"id": {"type": "string", "description"/; s/"required": \["order_id"\]/"required": ["id"]/' agent/tools.json
git add -A && git commit -qm "lookup_order takes id" && echo "committed $(git rev-parse --short HEAD) lookup_order takes id"
for i in 4 5; do printf 'note %s\n' "$i" >>NOTES.md; git add -A; git commit -qm "Notes $i"; done

step "evalguard check          # the tools file is an input: both suites are asked again"
set +e
"$evalguard" check
echo "(exit code $?)"
set -e
cases

step "evalguard blame          # from the stored results: no model request"
before="$(requests)"
"$evalguard" blame --suite first-call || true
echo "(model requests during blame: $(( $(requests) - before )))"
