#!/usr/bin/env bash
# Runs `evalguard ci` the way a CI job needs it, for any CI system: fetches the history and the
# shared results it needs, runs it, and leaves in $EVALGUARD_OUT:
#   report.md    the markdown verdict table (or, when evalguard stopped before a verdict, its error)
#   comment.md   report.md plus $EVALGUARD_FOOTER: the body of the pull/merge-request comment
#   outcome.env  verdict=, regressions=, inconclusive=, exit-code= (see outcome.py), report=,
#                junit=, comment-body=
# It exits 0 whatever the verdict, so that the comment can still be posted: the job then exits
# with outcome.env's exit-code.
#
# env: EVALGUARD                 the binary (default: evalguard on PATH)
#      EVALGUARD_OUT             output directory (default: $RUNNER_TEMP/evalguard or ./evalguard-ci)
#      EVALGUARD_BASE            passed as --base when set
#      EVALGUARD_TARGET          the branch to fetch the history of (default: EVALGUARD_BASE)
#      EVALGUARD_SUITES          comma- or space-separated; one --suite each
#      EVALGUARD_FAIL_ON_INCONCLUSIVE  true: an inconclusive verdict fails (exit-code 1)
#      EVALGUARD_JUNIT           the JUnit report's path (default: $EVALGUARD_OUT/junit.xml)
#      EVALGUARD_FETCH_HISTORY   false: use the clone as it is (default: true)
#      EVALGUARD_HTML            write the HTML report here (--html) when set
#      EVALGUARD_TRUST_STORED    true: --trust-stored (reuse stored answers unaudited)
#      EVALGUARD_NO_SETTLE       true: --no-settle
#      EVALGUARD_ARGS            more arguments for evalguard ci, split on white space (never evaluated)
#      EVALGUARD_FOOTER          a markdown line for the end of the comment (commit, run link)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
evalguard=${EVALGUARD:-evalguard}
out=${EVALGUARD_OUT:-${RUNNER_TEMP:+$RUNNER_TEMP/evalguard}}
out=${out:-$PWD/evalguard-ci}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
mkdir -p "$out"
report="$out/report.md"; stderr="$out/stderr.txt"; body="$out/comment.md"
rm -f "$report" "$stderr" "$body" "$out/outcome.env"   # evalguard appends to a markdown file
junit=${EVALGUARD_JUNIT:-$out/junit.xml}
case "$junit" in /*) ;; *) junit="$PWD/$junit" ;; esac
mkdir -p "$(dirname "$junit")"
rm -f "$junit"
truthy() { case "${1,,}" in true|yes|on|1) return 0 ;; *) return 1 ;; esac; }

if truthy "${EVALGUARD_FETCH_HISTORY:-true}"; then
    "$here/fetch-history.sh" "${EVALGUARD_TARGET:-${EVALGUARD_BASE:-}}" \
        || echo "evalguard: could not fetch the history or the shared results; evalguard ci says what is missing" >&2
fi

args=(ci --junit "$junit" --markdown "$report")
[ -n "${EVALGUARD_BASE:-}" ] && args+=(--base "$EVALGUARD_BASE")
suites=${EVALGUARD_SUITES:-}
for suite in ${suites//,/ }; do args+=(--suite "$suite"); done
[ -n "${EVALGUARD_HTML:-}" ] && args+=(--html "$EVALGUARD_HTML")
truthy "${EVALGUARD_TRUST_STORED:-false}" && args+=(--trust-stored)
truthy "${EVALGUARD_NO_SETTLE:-false}" && args+=(--no-settle)
# Words only: no globbing, quoting or expansion of what the workflow wrote.
read -r -a extra <<<"${EVALGUARD_ARGS:-}"
args+=("${extra[@]}")
outcome_flags=()
if truthy "${EVALGUARD_FAIL_ON_INCONCLUSIVE:-false}"; then
    # Passed on when this evalguard has the flag; outcome.py applies it to the verdict either way.
    if "$evalguard" ci --help 2>/dev/null | grep -q -- '--fail-on-inconclusive'; then
        args+=(--fail-on-inconclusive)
    fi
    outcome_flags+=(--fail-on-inconclusive)
fi

echo "evalguard ${args[*]}" >&2
status=0
"$evalguard" "${args[@]}" 2> >(tee "$stderr" >&2) || status=$?
wait   # for tee: the error text must be complete before it is quoted

if ! outcome=$(python3 "$here/outcome.py" "$status" "$junit" "${outcome_flags[@]}"); then
    outcome=$(printf 'verdict=error\nregressions=0\ninconclusive=0\nexit-code=%s\n' "$([ "$status" -eq 0 ] && echo 2 || echo "$status")")
fi
verdict=$(sed -n 's/^verdict=//p' <<<"$outcome")
exit_code=$(sed -n 's/^exit-code=//p' <<<"$outcome")

if [ ! -s "$report" ]; then
    # No verdict: evalguard stopped first (exit 2 or 3). Quote its message as plain text.
    {
        echo "### evalguard: ⚠️ could not decide (exit $status)"
        echo
        echo '```text'
        tail -n 30 "$stderr" 2>/dev/null | sed 's/```/` ` `/g'
        echo '```'
    } > "$report"
fi
if [ "$verdict" = inconclusive ] && [ "$exit_code" = 1 ]; then
    printf '\n**An inconclusive verdict fails this check (fail-on-inconclusive).**\n' >> "$report"
fi
cp "$report" "$body"
[ -n "${EVALGUARD_FOOTER:-}" ] && printf '\n%s\n' "$EVALGUARD_FOOTER" >> "$body"

{
    echo "$outcome"
    echo "report=$report"
    echo "junit=$junit"
    echo "comment-body=$body"
} > "$out/outcome.env"
echo "evalguard: verdict $verdict, exit code $exit_code" >&2
exit 0
