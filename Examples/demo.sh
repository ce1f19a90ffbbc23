#!/usr/bin/env bash
# evalguard end to end on the bundled intent classifier, in a scratch git repository:
# init → run → baseline → commit → a change that regresses → check blocks it (exit 1).
# Installs libgit2-dev first when the machine lacks it. Leaves nothing behind.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

if ! pkg-config --exists libgit2 2>/dev/null; then
  echo "==> installing libgit2-dev (evalguard reads git through libgit2)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libgit2-dev pkg-config >/dev/null
fi

echo "==> building evalguard"
evalguard="$("$here/scripts/build-release.sh" 2> >(tail -n 1 >&2))"

demo="$(mktemp -d)"
trap 'rm -rf "$demo"' EXIT
cd "$demo"
step() { printf '\n==> %s\n' "$*"; }

step "a product repository with an AI feature: the intent classifier"
git init -q -b main .
git config user.email demo@example.com
git config user.name "evalguard demo"
mkdir -p model
cp "$here"/Examples/intent-classifier/{classify.py,train.jsonl,settings.json} model/
git add -A && git commit -qm "Intent classifier"

step "evalguard init"
"$evalguard" init
# Point the starter configuration at the classifier and its 360 labelled cases.
mkdir -p .evals/cases
cp "$here"/.evals/cases/intents.jsonl .evals/cases/
sed -e 's|"python3", ".evals/example_model.py"|"python3", "model/classify.py"|' \
    -e 's|"example": {"cases": "cases/example.jsonl", "scorer": "exact"}|"intents": {"cases": "cases/intents.jsonl", "scorer": "exact"}|' \
    .evals/evalguard.json > .evals/evalguard.json.new && mv .evals/evalguard.json.new .evals/evalguard.json
rm .evals/cases/example.jsonl .evals/example_model.py
git add -A && git commit -qm "Add evalguard evals"

step "evalguard run"
"$evalguard" run

step "evalguard baseline, then commit it"
"$evalguard" baseline
git add .evals/baseline.json && git commit -qm "Record the evalguard baseline"

step "evalguard check on the unchanged model (reuses the stored result)"
"$evalguard" check

step "a change that regresses: cap the vocabulary at 500 features"
sed -i 's/"max_vocabulary": 0/"max_vocabulary": 500/' model/settings.json
git diff --stat

step "evalguard check (expected: exit 1, regression)"
set +e
"$evalguard" check
status=$?
set -e
echo "exit code: $status"
if [ "$status" -ne 1 ]; then
  echo "demo: expected evalguard check to exit 1 on the regressing change" >&2
  exit 1
fi
echo
echo "The regression was caught: a pre-push hook or CI step running 'evalguard check' would block it."
