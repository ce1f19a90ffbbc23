#!/usr/bin/env bash
# Builds the evalguard binary users run, the way a release archive is built (scripts/package.sh):
# optimised, with the Swift runtime and Foundation linked in statically. Such a binary needs no
# Swift toolchain where it runs, and starts about three times faster than one that loads the
# toolchain's shared libraries (measured: `evalguard --version` 15 ms against 47 ms).
# Every release build in this repository (the install from source, the demos, the benchmarks)
# goes through here with the same flags, so they share one build in .build/release.
# Prints the binary's path on stdout; the build's own output goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
swift build -c release --static-swift-stdlib --product evalguard --package-path "$root" >&2
echo "$(swift build -c release --static-swift-stdlib --package-path "$root" --show-bin-path)/evalguard"
