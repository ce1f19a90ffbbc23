#!/usr/bin/env bash
# The action's main step: scripts/ci/evaluate.sh with the action's inputs, then the report in the
# job's step summary and evaluate.sh's outcome as the step's outputs. It does not fail the step
# (the comment must still be posted): the action's last step exits with 'exit-code'.
#
# env: EVALGUARD, INPUT_BASE, INPUT_SUITES, INPUT_FAIL_ON_INCONCLUSIVE, INPUT_JUNIT,
#      INPUT_FETCH_HISTORY, INPUT_HTML, INPUT_TRUST_STORED, INPUT_NO_SETTLE, INPUT_ARGS (the action's inputs); GITHUB_ACTION_PATH, GITHUB_BASE_REF,
#      GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, GITHUB_SHA, GITHUB_SERVER_URL,
#      GITHUB_REPOSITORY, GITHUB_RUN_ID, RUNNER_TEMP (from Actions)
# outputs: verdict, regressions, inconclusive, exit-code, report, junit, comment-body
set -euo pipefail
action=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
out="${RUNNER_TEMP:-/tmp}/evalguard"
junit=${INPUT_JUNIT:-}
if [ -n "$junit" ]; then
    case "$junit" in /*) ;; *) junit="${GITHUB_WORKSPACE:-$PWD}/$junit" ;; esac
fi
html=${INPUT_HTML:-}
if [ -n "$html" ]; then
    case "$html" in /*) ;; *) html="${GITHUB_WORKSPACE:-$PWD}/$html" ;; esac
fi
run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"

# Without 'base', evalguard ci reads GITHUB_BASE_REF itself; the history of that branch is fetched.
EVALGUARD_OUT="$out" EVALGUARD_JUNIT="$junit" \
EVALGUARD_BASE="${INPUT_BASE:-}" EVALGUARD_TARGET="${INPUT_BASE:-${GITHUB_BASE_REF:-}}" \
EVALGUARD_SUITES="${INPUT_SUITES:-}" EVALGUARD_FAIL_ON_INCONCLUSIVE="${INPUT_FAIL_ON_INCONCLUSIVE:-false}" \
EVALGUARD_FETCH_HISTORY="${INPUT_FETCH_HISTORY:-true}" \
EVALGUARD_HTML="${html}" EVALGUARD_TRUST_STORED="${INPUT_TRUST_STORED:-false}" \
EVALGUARD_NO_SETTLE="${INPUT_NO_SETTLE:-false}" EVALGUARD_ARGS="${INPUT_ARGS:-}" \
EVALGUARD_FOOTER="<sub>commit ${GITHUB_SHA:0:7} · [workflow run]($run_url)</sub>" \
    "$action/scripts/ci/evaluate.sh"

[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$out/report.md" >> "$GITHUB_STEP_SUMMARY"
cat "$out/outcome.env" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
