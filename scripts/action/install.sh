#!/usr/bin/env bash
# The action's install step: puts evalguard into the cache directory (reusing what is already
# there), adds it to $GITHUB_PATH and writes its path to $GITHUB_OUTPUT as 'evalguard'.
#
# A release archive is downloaded with its .sha256 and installed only if it matches; without
# the .sha256 nothing is installed. 'source' builds the action's own checkout (Swift 6 and
# libgit2-dev must be on the runner).
#
# env: MODE, VERSION, ARCH, CACHE_DIR, ARCHIVE (from setup.sh); RELEASE_URL, the releases' base
#      URL (the archive is RELEASE_URL/v<version>/<archive>); GITHUB_ACTION_PATH, GITHUB_PATH,
#      GITHUB_OUTPUT
set -euo pipefail
action=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
binary="$CACHE_DIR/bin/evalguard"

if [ -x "$binary" ] && "$binary" --version >/dev/null 2>&1; then
    echo "evalguard: using the cached $("$binary" --version)" >&2
elif [ "$MODE" = source ]; then
    "$action/scripts/install.sh" --prefix "$CACHE_DIR"
else
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    url="${RELEASE_URL%/}/v$VERSION/$ARCHIVE"
    echo "evalguard: downloading $url" >&2
    curl -fsSL --retry 3 -o "$download/$ARCHIVE" "$url" \
        || { echo "::error::evalguard: cannot download $url (is $VERSION released? set 'version')"; exit 1; }
    curl -fsSL --retry 3 -o "$download/$ARCHIVE.sha256" "$url.sha256" \
        || { echo "::error::evalguard: cannot download $url.sha256: an archive that cannot be verified is not installed"; exit 1; }
    # The binary needs the distribution's libgit2 (Debian 12: libgit2-1.5): install it if apt can.
    if ! "$action/scripts/install.sh" --prefix "$CACHE_DIR" "$download/$ARCHIVE"; then
        missing=$(ldd "$binary" 2>/dev/null | awk '/libgit2.*not found/ {print $1}')
        package="libgit2-${missing#libgit2.so.}"
        if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1 && apt-cache show "$package" >/dev/null 2>&1; then
            echo "evalguard: installing $package for $missing" >&2
            sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
            $sudo apt-get install -y -qq "$package" >/dev/null
            "$binary" --version >/dev/null
        else
            rm -f "$binary"
            echo "::error::evalguard: the release binary needs ${missing:-a library this runner lacks}; use a Debian 12 container (container: debian:12) or 'version: source'"
            exit 1
        fi
    fi
fi
echo "$CACHE_DIR/bin" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
echo "evalguard=$binary" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
