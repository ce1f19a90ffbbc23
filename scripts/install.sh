#!/usr/bin/env bash
# Installs evalguard: from a release archive, or built from the source tree this script is in.
#
# usage: scripts/install.sh [--prefix DIR] [ARCHIVE]
#   ARCHIVE       an evalguard-<version>-linux-<arch>.tar.gz; when ARCHIVE.sha256 is beside it,
#                 the archive is verified first and nothing is installed if it does not match
#   (no ARCHIVE)  builds from source (scripts/build-release.sh: as a release archive is built,
#                 the Swift runtime linked in) and installs that
#   --prefix DIR  installs DIR/bin/evalguard, the hook script and the CI helpers in
#                 DIR/share/evalguard/{hooks,ci}, the licence in DIR/share/doc/evalguard
#                 (default: /usr/local)
set -euo pipefail

prefix=/usr/local
archive=""
# The header comment above, up to the first line of code, whatever its length.
usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
        *) [ -z "$archive" ] || { echo "install.sh: one archive at a time" >&2; exit 2; }
           archive=$1; shift ;;
    esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "$archive" ]; then
    [ -f "$archive" ] || { echo "install.sh: no such archive: $archive" >&2; exit 2; }
    if [ -f "$archive.sha256" ]; then
        expected=$(awk '{print $1; exit}' "$archive.sha256")
        actual=$(sha256sum "$archive" | awk '{print $1}')
        if [ "$expected" != "$actual" ]; then
            echo "install.sh: $archive does not match $archive.sha256 (expected $expected, got $actual); nothing installed." >&2
            echo "Download the archive again; if it still differs, do not install it." >&2
            exit 1
        fi
        echo "install.sh: $archive: sha256 verified" >&2
    else
        echo "install.sh: warning: no $archive.sha256 beside the archive: not verified" >&2
    fi
    tar -xzf "$archive" -C "$work"
    tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    [ -n "$tree" ] && [ -x "$tree/bin/evalguard" ] || { echo "install.sh: $archive holds no */bin/evalguard" >&2; exit 2; }
    binary="$tree/bin/evalguard"; hook="$tree/hooks/pre-push"; helpers="$tree/ci"; docs="$tree"
else
    root=$(cd "$(dirname "$0")/.." && pwd)
    [ -f "$root/Package.swift" ] || { echo "install.sh: no Package.swift in $root; pass an archive instead" >&2; exit 2; }
    command -v swift >/dev/null 2>&1 || { echo "install.sh: building from source needs Swift 6 (https://swift.org/install); or pass a release archive" >&2; exit 2; }
    echo "install.sh: building evalguard from $root" >&2
    binary=$("$root/scripts/build-release.sh"); hook="$root/hooks/pre-push"; helpers="$root/scripts/ci"; docs="$root"
fi

mkdir -p "$prefix/bin" "$prefix/share/evalguard/hooks" "$prefix/share/evalguard/ci" "$prefix/share/doc/evalguard"
# Through a temporary name in the same directory: a running evalguard is never half-overwritten.
install -m 0755 "$binary" "$prefix/bin/.evalguard.new"
mv -f "$prefix/bin/.evalguard.new" "$prefix/bin/evalguard"
install -m 0755 "$hook" "$prefix/share/evalguard/hooks/pre-push"
find "$helpers" -maxdepth 1 -type f -exec install -m 0755 {} "$prefix/share/evalguard/ci/" \;
for f in LICENSE README.md; do
    [ -f "$docs/$f" ] && install -m 0644 "$docs/$f" "$prefix/share/doc/evalguard/$f"
done

if ! installed=$("$prefix/bin/evalguard" --version 2>&1); then
    echo "install.sh: $prefix/bin/evalguard was installed but does not start:" >&2
    echo "$installed" >&2
    if ldd "$prefix/bin/evalguard" 2>/dev/null | grep -q 'libgit2.*not found'; then
        echo "It needs libgit2 from your distribution: apt-get install libgit2-1.5 (Debian 12), or build from source." >&2
    fi
    exit 1
fi
echo "install.sh: installed $installed in $prefix/bin" >&2
# https models need OpenSSL 3, opened only when one is called: say so now rather than mid-run.
if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libssl\.so\.3 '; then
    echo "install.sh: note: OpenSSL 3 (libssl.so.3) is not installed: models called over https need it (apt-get install libssl3 on Debian/Ubuntu)" >&2
fi
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "install.sh: note: $prefix/bin is not on your PATH" >&2 ;; esac
