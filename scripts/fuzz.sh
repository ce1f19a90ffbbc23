#!/usr/bin/env bash
# Fuzzes evalguard's parsers of untrusted bytes with libFuzzer, one target at a time.
#
#   scripts/fuzz.sh [--seconds N] [--runs N] [--nice N] [target...]
#
# Each target (Fuzz/<target>.swift) runs until N seconds (default 600) or N executions
# (default 10000000), whichever comes first, starting from the seed corpus Fuzz/corpus/<target>/.
# New corpus entries and crash files go to a scratch directory outside the repository
# ($EVALGUARD_FUZZ_DIR, default /tmp/evalguard-fuzz). One line per target is printed:
# executions, seconds, exec/s, crashes (and the crash file). Exits 1 if any target crashed.
# --nice sets the niceness of the build and the fuzzers (default 19: the machine is shared).
#
# The package's library modules are built with libFuzzer's coverage and AddressSanitizer into
# .build/fuzz (so `swift build` and `swift test` are untouched), then each target is linked
# against their object files with swiftc.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
seconds=600
runs=10000000
niceness=19
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --nice) niceness=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option '$1'" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
all=()
for f in Fuzz/*.swift; do all+=("$(basename "$f" .swift)"); done
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
for t in "${targets[@]}"; do
    [ -f "Fuzz/$t.swift" ] || { echo "fuzz.sh: no target '$t' (targets: ${all[*]})" >&2; exit 2; }
done

scratch=${EVALGUARD_FUZZ_DIR:-/tmp/evalguard-fuzz}
mkdir -p "$scratch"

# Every library module a target may import, bottom up; the C targets they link.
modules=(EvalGuardSupport EvalGuardGit EvalGuardStatistics EvalGuardConfig EvalGuardImport EvalGuardStore EvalGuardRunner
         EvalGuardScoring EvalGuardEvaluation EvalGuardCompare EvalGuardGate)
build_path=.build/fuzz
echo "building the modules with -sanitize=fuzzer,address into $build_path ..." >&2
for top in EvalGuardGate EvalGuardImport; do
    nice -n "$niceness" swift build --build-path "$build_path" -c debug --target "$top" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing >&2
done
bin=$(swift build --build-path "$build_path" -c debug --show-bin-path)

objects=("$bin"/CSpawn.build/*.o "$bin"/CTLS.build/*.o "$bin"/CGitStart.build/*.o)
for m in "${modules[@]}"; do objects+=("$bin/$m.build"/*.o); done

failed=0
for t in "${targets[@]}"; do
    exe="$scratch/bin/$t"
    mkdir -p "$scratch/bin" "$scratch/corpus/$t" "$scratch/crashes/$t"
    if [ ! -x "$exe" ] || [ -n "$(find "Fuzz/$t.swift" "${objects[@]}" -newer "$exe" | head -1)" ]; then
        echo "linking $t ..." >&2
        nice -n "$niceness" swiftc -g -Onone -parse-as-library -sanitize=fuzzer,address -enable-testing \
            -package-name evalguard -I "$bin/Modules" \
            -Xcc -fmodule-map-file="$bin/CSpawn.build/module.modulemap" \
            -Xcc -fmodule-map-file="$bin/CTLS.build/module.modulemap" \
            -Xcc -fmodule-map-file="$bin/CGitStart.build/module.modulemap" \
            -Xcc -fmodule-map-file="$root/Sources/CLibgit2/module.modulemap" \
            "Fuzz/$t.swift" "${objects[@]}" -lgit2 -ldl -o "$exe" \
            >"$scratch/$t.link.log" 2>&1 || { cat "$scratch/$t.link.log" >&2; exit 2; }
    fi
    log="$scratch/$t.log"
    # New inputs go to the scratch corpus (listed first); the seeds in the repository are only read.
    set +e
    started=$SECONDS
    SWIFT_BACKTRACE=enable=no LSAN_OPTIONS="suppressions=$root/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
    nice -n "$niceness" "$exe" "$scratch/corpus/$t" "Fuzz/corpus/$t" \
        -max_total_time="$seconds" -runs="$runs" -rss_limit_mb=2048 -max_len=8192 -timeout=10 \
        -artifact_prefix="$scratch/crashes/$t/" -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    elapsed=$((SECONDS - started))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -1)
    if [ $status -ne 0 ] || [ -n "$crash" ]; then
        failed=1
        printf '%-14s executions=%s seconds=%s exec/s=%s crashes=1 file=%s log=%s\n' \
            "$t" "${execs:-?}" "${elapsed:-?}" "${rate:-?}" "${crash:-none}" "$log"
    else
        printf '%-14s executions=%s seconds=%s exec/s=%s crashes=0\n' "$t" "${execs:-?}" "${elapsed:-?}" "${rate:-?}"
    fi
done
exit $failed
