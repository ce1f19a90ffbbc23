#!/usr/bin/env bash
# End-to-end test of the release archive: builds it with scripts/package.sh, installs it with
# scripts/install.sh (which must refuse a corrupted copy), then, in a mount namespace where the
# Swift toolchain's directory is hidden under an empty one, runs the installed evalguard in a
# scratch repository: --version, init, run, baseline, check (pass, then a regression).
#
# Prints one "ok: ..." line per check; exits 0 when all pass, 1 on the first failure, and 77
# (skipped) when mount namespaces are unavailable (no unshare, or not allowed to use it).
#
# usage: scripts/test-package.sh [--scratch-path DIR] [--keep]
#   --scratch-path DIR  SwiftPM build directory for the release build (default: .build)
#   --keep              leave the temporary directory (archive, prefix, repository) behind
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch="$root/.build"
keep=no
while [ $# -gt 0 ]; do
    case "$1" in
        --scratch-path) scratch=${2:?--scratch-path needs a directory}; shift 2 ;;
        --keep) keep=yes; shift ;;
        -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "test-package.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

if ! command -v unshare >/dev/null 2>&1; then
    echo "SKIP: unshare is not installed (util-linux): cannot hide the toolchain to test the archive"
    exit 77
fi
if ! unshare -m true 2>/dev/null; then
    echo "SKIP: 'unshare -m' is not permitted here (needs root or CAP_SYS_ADMIN): cannot hide the toolchain"
    exit 77
fi
swift=$(command -v swift) || fail "swift is not on PATH: it is needed to build the archive"
# <toolchain>/usr/bin/swift: the directory to hide is <toolchain>.
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$swift")")")")

work=$(mktemp -d)
[ "$keep" = yes ] && echo "keeping $work" || trap 'rm -rf "$work"' EXIT

archive=$("$root/scripts/package.sh" --output "$work/dist" --scratch-path "$scratch" | tail -n 1)
name=$(basename "$archive" .tar.gz)
version=$("$root/scripts/package.sh" --print-version)
[ "$name" = "evalguard-$version-linux-$(uname -m)" ] || fail "archive named $name, expected evalguard-$version-linux-$(uname -m)"
ok "archive $name.tar.gz"

listing=$(tar -tzf "$archive" | sort)
for entry in bin/evalguard hooks/pre-push ci/comment.py ci/outcome.py ci/fetch-history.sh LICENSE README.md; do
    grep -qx "$name/$entry" <<<"$listing" || fail "$entry missing from the archive: $listing"
done
ok "archive holds bin/evalguard, hooks/pre-push, ci/, LICENSE, README.md"

(cd "$work/dist" && sha256sum -c --quiet "$name.tar.gz.sha256") || fail "$name.tar.gz.sha256 does not verify"
ok "sha256 file verifies"

mkdir "$work/tampered"
cp "$archive" "$archive.sha256" "$work/tampered/"
printf 'x' >> "$work/tampered/$name.tar.gz"
if "$root/scripts/install.sh" --prefix "$work/tampered-prefix" "$work/tampered/$name.tar.gz" 2>"$work/tampered.err"; then
    fail "install.sh installed an archive that does not match its .sha256"
fi
grep -q "does not match" "$work/tampered.err" || fail "install.sh's refusal does not say why: $(cat "$work/tampered.err")"
[ ! -e "$work/tampered-prefix/bin/evalguard" ] || fail "install.sh left a binary from a corrupted archive"
ok "install.sh refuses an archive that does not match its sha256"

"$root/scripts/install.sh" --prefix "$work/prefix" "$archive" 2>"$work/install.err" \
    || fail "install.sh failed: $(cat "$work/install.err")"
grep -q "sha256 verified" "$work/install.err" || fail "install.sh did not verify the sha256: $(cat "$work/install.err")"
[ -x "$work/prefix/bin/evalguard" ] && [ -x "$work/prefix/share/evalguard/hooks/pre-push" ] \
    && [ -x "$work/prefix/share/evalguard/ci/comment.py" ] \
    || fail "install.sh did not install bin/evalguard, share/evalguard/hooks/pre-push and share/evalguard/ci/"
ok "install.sh installs the archive into a prefix"

# What runs without the toolchain. The repository lives in $work, outside the hidden directory.
cat > "$work/without-toolchain.sh" <<'EOF'
set -eu
toolchain=$1 evalguard=$2 repo=$3
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
[ -z "$(ls -A "$toolchain")" ] || fail "$toolchain is not hidden"
! command -v swift >/dev/null 2>&1 || fail "swift is still reachable: $(command -v swift)"
ok "the toolchain at $toolchain is hidden"
libraries=$(ldd "$evalguard")
! grep -i swift <<<"$libraries" || fail "ldd lists Swift libraries"
! grep 'not found' <<<"$libraries" || fail "ldd finds libraries missing"
ok "ldd lists no Swift library and nothing missing"
"$evalguard" --version | grep -qx "evalguard $EXPECTED_VERSION" || fail "--version: $("$evalguard" --version 2>&1)"
ok "evalguard --version"
mkdir "$repo" && cd "$repo"
git init -q -b main && git config user.email t@example.com && git config user.name test
"$evalguard" init >/dev/null
git add -A && git commit -q -m "evals"
"$evalguard" run >/dev/null 2>&1 || fail "evalguard run exited $?"
[ -n "$(ls .evals/results/*.json)" ] || fail "evalguard run stored no result"
ok "evalguard run"
"$evalguard" baseline >/dev/null 2>&1 || fail "evalguard baseline exited $?"
git add -A && git commit -q -m "evals and baseline"
status=0; "$evalguard" check >/dev/null 2>&1 || status=$?
[ "$status" -eq 0 ] || fail "evalguard check on an unchanged model exited $status"
ok "evalguard check passes an unchanged model (exit 0)"
printf 'import json, sys\nfor line in sys.stdin:\n    r = json.loads(line)\n    print(json.dumps({"id": r["id"], "output": "positive"}), flush=True)\n' > .evals/example_model.py
status=0; out=$("$evalguard" check 2>&1) || status=$?
[ "$status" -eq 1 ] || fail "evalguard check on a regressed model exited $status: $out"
grep -q REGRESSION <<<"$out" || fail "no REGRESSION in: $out"
ok "evalguard check blocks a regressed model (exit 1)"
EOF
mkdir "$work/empty"
EXPECTED_VERSION=$version unshare -m bash -c \
    'mount --bind "$1" "$2" && exec bash "$3" "$2" "$4" "$5"' \
    unshare "$work/empty" "$toolchain" "$work/without-toolchain.sh" "$work/prefix/bin/evalguard" "$work/repo"
echo "all package checks passed"
