#!/usr/bin/env bash
# The figures behind "HTTP client" in docs/ARCHITECTURE.md: libcurl's multi interface against
# the local OpenAI-compatible server (CPU per request), and the start-up cost of linking libcurl
# or dlopen-ing it. Needs gcc and libcurl4-openssl-dev.
#
#   Benchmarks/libcurl-multi.sh                 # 2,000 requests, 32 in flight, 50 ms server delay
set -euo pipefail
DELAY_MS=${DELAY_MS:-50}
CASES=${CASES:-2000}
JOBS=${JOBS:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -- "-$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -o "$work/multi" "$root/Benchmarks/libcurl-multi.c" -lcurl
setsid python3 "$root/Tests/Fixtures/openai_server.py" --delay-ms "$DELAY_MS" --key bench-secret-key >"$work/port" &
server_pid=$!
for _ in $(seq 100); do grep -q PORT "$work/port" 2>/dev/null && break; sleep 0.1; done
port=$(awk '/PORT/ {print $2}' "$work/port")
"$work/multi" "http://127.0.0.1:$port/v1/chat/completions" "$CASES" "$JOBS"

cat >"$work/empty.c" <<'C'
#include <dlfcn.h>
#include <string.h>
int main(int c, char **v) { if (c > 1 && !strcmp(v[1], "dlopen") && !dlopen("libcurl.so.4", RTLD_NOW)) return 1; return 0; }
C
gcc -O2 -o "$work/plain" "$work/empty.c"
gcc -O2 -o "$work/linked" "$work/empty.c" -Wl,--no-as-needed -lcurl
for b in "$work/plain" "$work/linked" "$work/plain dlopen"; do
    python3 - "$b" <<'PY'
import resource, subprocess, sys
cmd = sys.argv[1].split()
for _ in range(20): subprocess.run(cmd, check=True)
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
for _ in range(300): subprocess.run(cmd, check=True)
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ((r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)) / 300
print(f"{' '.join(cmd[0].split('/')[-1:] + cmd[1:]):14s} {cpu * 1e3:.2f} ms CPU per exec")
PY
done
