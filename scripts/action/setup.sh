#!/usr/bin/env bash
# The action's first step: which evalguard to install and where it is cached. Writes to
# $GITHUB_OUTPUT: mode (release|source), version, arch, cache-dir, archive.
#
# env: INPUT_VERSION  a release version ("0.1.0" or "v0.1.0"); empty: the version of the action's
#                     own source (scripts/package.sh --print-version); "source": build the
#                     action's source instead of downloading
#      RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, GITHUB_ACTION_PATH, GITHUB_OUTPUT (from Actions)
set -euo pipefail
action=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
requested=${INPUT_VERSION:-}

source_version() { "$action/scripts/package.sh" --print-version; }
case "$requested" in
    source) mode=source; version="source-$(source_version)" ;;
    "") mode=release; version=$(source_version) ;;
    *) mode=release; version=${requested#v} ;;
esac
[ -n "$version" ] || { echo "::error::evalguard: cannot read the version of the action's source"; exit 2; }

case "${RUNNER_ARCH:-}" in
    X64) arch=x86_64 ;;
    ARM64) arch=aarch64 ;;
    *) echo "::error::evalguard: no release for the runner architecture '${RUNNER_ARCH:-unknown}' (X64 and ARM64 only)"; exit 2 ;;
esac
if [ "$mode" = release ] && [ "${RUNNER_OS:-}" != Linux ]; then
    echo "::error::evalguard: release archives are for Linux runners; this one is '${RUNNER_OS:-unknown}'. Use a Linux runner, or 'version: source' with Swift 6 and libgit2 installed."
    exit 2
fi
# A release is cached by its version; a source build is the action's checkout, rebuilt per job.
if [ "$mode" = release ]; then
    cache="${RUNNER_TOOL_CACHE:-$HOME/.cache}/evalguard/$version/$arch"
else
    cache="${RUNNER_TEMP:-/tmp}/evalguard-source/$arch"
fi
{
    echo "mode=$mode"
    echo "version=$version"
    echo "arch=$arch"
    echo "cache-dir=$cache"
    echo "archive=evalguard-$version-linux-$arch.tar.gz"
} >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
echo "evalguard: $mode $version for linux-$arch, cached in $cache" >&2
