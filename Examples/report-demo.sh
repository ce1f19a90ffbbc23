#!/usr/bin/env bash
# evalguard report on the bundled intent classifier: a scratch repository with a short history
# (settings tuned over a few commits, the baseline recorded twice), each commit evaluated, then an
# uncommitted change that regresses. Writes the HTML report to $1 (default ./evalguard-report.html);
# with chromium on PATH and $2 given, also a screenshot of it to $2.
# EVALGUARD=path/to/evalguard skips the build.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-evalguard-report.html}")"
shot="${2:+$(realpath -m "$2")}"

if [ -z "${EVALGUARD:-}" ]; then
  EVALGUARD="$("$here/scripts/build-release.sh" 2> >(tail -n 1 >&2))"
fi
evalguard="$(realpath "$EVALGUARD")"

demo="$(mktemp -d)"
trap 'rm -rf "$demo"' EXIT
cd "$demo"
git init -q -b main .
git config user.email demo@example.com
git config user.name "evalguard demo"
mkdir -p model .evals/cases
cp "$here"/Examples/intent-classifier/{classify.py,train.jsonl,settings.json} model/
cp "$here"/.evals/cases/intents.jsonl .evals/cases/
cat > .evals/evalguard.json <<'JSON'
{
  "model": {"command": ["python3", "model/classify.py"], "jobs": 2, "inputs": ["model/"]},
  "suites": {"intents": {"cases": "cases/intents.jsonl", "scorer": "exact"}},
  "thresholds": {"p95_latency_ms": {"max_increase_pct": 20, "min_increase_ms": 5}}
}
JSON
echo "results/" > .evals/.gitignore

settings() { printf '{\n  "smoothing": %s,\n  "use_bigrams": %s,\n  "max_vocabulary": %s\n}\n' "$1" "$2" "$3" > model/settings.json; }
commit() { git add -A && git commit -qm "$1" && "$evalguard" run >/dev/null; }

commit "Intent classifier with evalguard evals"
"$evalguard" baseline >/dev/null && git add -A && git commit -qm "Record the evalguard baseline"
settings 1.0 false 0; commit "Try unigrams only"
settings 1.0 true 0;  commit "Back to bigrams"
settings 0.5 true 0;  commit "Less smoothing"
settings 0.1 true 0;  commit "Smoothing 0.1"
"$evalguard" baseline >/dev/null && git add -A && git commit -qm "Raise the baseline: smoothing 0.1"
settings 0.1 true 2000; commit "Cap the vocabulary at 2000 features"
settings 0.1 true 1200; commit "Cap the vocabulary at 1200 features"
# The regressing change, not committed yet: what a developer would look at before pushing.
settings 0.1 true 500

set +e
"$evalguard" report -o "$out"
status=$?
set -e
echo "evalguard report exit code: $status (1: the uncommitted change regresses)"
if [ -n "$shot" ] && command -v chromium >/dev/null; then
  chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --window-size=1280,2200 \
    --screenshot="$shot" "file://$out" 2>/dev/null
  echo "screenshot: $shot"
fi
