#!/usr/bin/env bash
# The openai provider's own cost: runs CASES cases (2,000) at JOBS requests in flight (32) against
# a local OpenAI-compatible server that waits DELAY_MS (50 ms) before each answer, then prints
# evalguard's CPU per request (target: under 1 ms) and the p95 latency it measured next to the
# configured delay (target: within 10%).
#
# Why 50 ms and not less: on the 2-core VM this was measured on, the clock alone makes a
# 20 ms sleep last 21 ms at p95 (Python's time.sleep and select alike), and the Python server
# answering 32 requests that arrive together adds ~2 ms more; at 20 ms that is ~15% that
# no client could remove. DELAY_MS=20 runs it anyway.
#
# SCHEME=https serves the same answers over TLS (a certificate for localhost made with openssl,
# trusted through SSL_CERT_FILE) and names the TLS version the server negotiated. It also prints
# the CPU one `evalguard --version` costs (STARTS execs, 200), the start-up every hook pays.
#
#   Benchmarks/openai-provider.sh            # defaults
#   DELAY_MS=50 CASES=5000 Benchmarks/openai-provider.sh
#   SCHEME=https Benchmarks/openai-provider.sh
#   BIN=/tmp/evalguard-before SCHEME=https Benchmarks/openai-provider.sh   # a binary built earlier
set -euo pipefail
DELAY_MS=${DELAY_MS:-50}
CASES=${CASES:-2000}
JOBS=${JOBS:-32}
SCHEME=${SCHEME:-http}
STARTS=${STARTS:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
server_py="$root/Tests/Fixtures/openai_server.py"

bin=${BIN:-}
if [ -z "$bin" ]; then
    bin=$("$root/scripts/build-release.sh")
fi

work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -- "-$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

server_args=(--delay-ms "$DELAY_MS" --key bench-secret-key --log "$work/requests.jsonl")
host=127.0.0.1
case "$SCHEME" in
    http) ;;
    https)
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$work/key.pem" -out "$work/cert.pem" \
            -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null
        server_args+=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
        export SSL_CERT_FILE="$work/cert.pem"
        host=localhost ;;
    *) echo "SCHEME must be http or https" >&2; exit 2 ;;
esac
setsid python3 "$server_py" "${server_args[@]}" >"$work/port" &
server_pid=$!
for _ in $(seq 50); do grep -q PORT "$work/port" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/PORT/ {print $2}' "$work/port")

repo="$work/repo"
mkdir -p "$repo/.evals/cases"
git -C "$repo" init -q -b main
cat >"$repo/.evals/evalguard.json" <<JSON
{
  "model": {
    "provider": "openai",
    "base_url": "$SCHEME://$host:$port/v1",
    "model": "bench-model",
    "api_key_env": "BENCH_API_KEY",
    "messages": [{"role": "user", "content": "{{input}}"}],
    "temperature": 0,
    "jobs": $JOBS,
    "timeout_s": 10
  },
  "suites": {"bench": {"cases": "cases/bench.jsonl", "scorer": "exact"}}
}
JSON
echo '{"bench-model": {"input_per_million": 0.15, "output_per_million": 0.60}}' >"$repo/.evals/prices.json"
echo 'results/' >"$repo/.evals/.gitignore"
python3 -c "
import json
for i in range($CASES):
    print(json.dumps({'id': 'c%d' % i, 'input': 'question number %d' % i, 'expected': 'question number %d' % i}))
" >"$repo/.evals/cases/bench.jsonl"
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -q -m "bench"

BENCH_API_KEY=bench-secret-key "$bin" -C "$repo" run --timings >"$work/out" 2>"$work/err" || { cat "$work/out" "$work/err" >&2; exit 1; }
cat "$work/out"
if [ "$SCHEME" = https ]; then
    python3 - "$work/requests.jsonl" <<'PY'
import collections, json, sys
versions = collections.Counter(json.loads(line).get("tls") for line in open(sys.argv[1]))
print("TLS versions the server negotiated:", ", ".join("%s (%d requests)" % kv for kv in versions.items()))
PY
fi
timings=$(grep '^evalguard CPU' "$work/err")
echo "$timings"
p95=$(sed -E 's/.*p95 ([0-9.]+) ms.*/\1/' <<<"$timings")
per_case=$(sed -E 's/.* ([0-9]+) µs per case.*/\1/' <<<"$timings")
python3 - "$p95" "$DELAY_MS" "$per_case" "$SCHEME" <<'PY'
import sys
p95, delay, per_case = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
over = (p95 - delay) / delay * 100
print("p95 measured %.2f ms vs server delay %.0f ms: %+.1f%% (target within 10%%) %s"
      % (p95, delay, over, "ok" if abs(over) <= 10 else "MISSED"))
print("evalguard CPU %.0f µs per request over %s (target under 1000 µs) %s" % (per_case, sys.argv[4], "ok" if per_case < 1000 else "MISSED"))
PY
# Start-up: the CPU of STARTS execs of `evalguard --version`, the children's user + system time.
python3 - "$bin" "$STARTS" <<'PY'
import resource, subprocess, sys
binary, starts = sys.argv[1], int(sys.argv[2])
subprocess.run([binary, "--version"], check=True, stdout=subprocess.DEVNULL)  # warm the page cache
before = resource.getrusage(resource.RUSAGE_CHILDREN)
for _ in range(starts):
    subprocess.run([binary, "--version"], check=True, stdout=subprocess.DEVNULL)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print("evalguard --version: %.2f ms CPU per start (%d starts)" % (cpu / starts * 1000, starts))
PY
