#!/usr/bin/env bash
# Builds the release archive evalguard-<version>-linux-<arch>.tar.gz (the binary, the pre-push
# hook script, the CI helpers of scripts/ci, LICENSE, README.md) and its .sha256 beside it.
#
# The Swift runtime and Foundation are linked statically, so the binary runs on a machine without
# a Swift toolchain; it needs only the C libraries the distribution provides: libgit2 (and what it
# links: mbedtls, libssh2, http-parser, pcre2, zlib) and glibc.
#
# usage: scripts/package.sh [--output DIR] [--scratch-path DIR] | --print-version
#   --output DIR        where the archive goes (default: dist/ in the source tree)
#   --scratch-path DIR  SwiftPM's build directory (default: .build in the source tree)
#   --print-version     print the version the archive would carry, and stop
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
output="$root/dist"
scratch="$root/.build"
print_version=no

# The header comment above, up to the first line of code, whatever its length.
usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --output) output=${2:?--output needs a directory}; shift 2 ;;
        --output=*) output=${1#*=}; shift ;;
        --scratch-path) scratch=${2:?--scratch-path needs a directory}; shift 2 ;;
        --scratch-path=*) scratch=${1#*=}; shift ;;
        --print-version) print_version=yes; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "package.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

# The version is the one `evalguard --version` prints: read from the source, never restated here.
version_file="$root/Sources/Support/Version.swift"
version=$(sed -n 's/.*static let current = "\([^"]*\)".*/\1/p' "$version_file" 2>/dev/null | head -n 1)
if [ -z "$version" ]; then
    echo "package.sh: no 'static let current = \"…\"' in Sources/Support/Version.swift" >&2
    exit 2
fi
if [ "$print_version" = yes ]; then
    echo "$version"
    exit 0
fi
arch=$(uname -m)
name="evalguard-$version-linux-$arch"

echo "package.sh: building evalguard $version for linux-$arch (release, static Swift runtime)" >&2
swift build -c release --static-swift-stdlib --product evalguard \
    --package-path "$root" --scratch-path "$scratch" >&2
binary="$scratch/release/evalguard"

# A Swift library left dynamic would make the archive useless without a toolchain: refuse it.
if ldd "$binary" | grep -i 'swift' >&2; then
    echo "package.sh: $binary still links the Swift libraries above dynamically" >&2
    exit 1
fi
reported=$("$binary" --version)
if [ "$reported" != "evalguard $version" ]; then
    echo "package.sh: the binary reports '$reported', expected 'evalguard $version'" >&2
    exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$stage/$name/hooks" "$stage/$name/ci"
install -m 0755 "$binary" "$stage/$name/bin/evalguard"
strip "$stage/$name/bin/evalguard" 2>/dev/null || true   # only smaller; the binary works either way
install -m 0755 "$root/hooks/pre-push" "$stage/$name/hooks/pre-push"
find "$root/scripts/ci" -maxdepth 1 -type f -exec install -m 0755 {} "$stage/$name/ci/" \;
install -m 0644 "$root/LICENSE" "$root/README.md" "$stage/$name/"

# The same sources give the same archive: fixed owner, order and times (the last commit's).
epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)
mkdir -p "$output"
archive="$output/$name.tar.gz"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" \
    | gzip -n -9 > "$archive.tmp"
mv "$archive.tmp" "$archive"
(cd "$output" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256.tmp" && mv "$name.tar.gz.sha256.tmp" "$name.tar.gz.sha256")
echo "$archive"
