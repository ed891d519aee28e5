#!/usr/bin/env bash
# The whole test suite: sets up what is missing, builds, runs unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-node-versions
# Tests take real heap snapshots (about 0.5 GB at once at the peak) in the
# temp dir; with less room memwatchd rightly skips them and those tests fail.
tmp=${TMPDIR:-/tmp}
free_mb=$(df -Pm "$tmp" | awk 'NR == 2 { print $4 }')
if [ "${free_mb:-0}" -lt 1024 ]; then
    echo "scripts/test.sh: only ${free_mb} MB free in $tmp; the snapshot tests need 1 GB. Free some space or set TMPDIR." >&2
    exit 1
fi
swift build
# A few seconds of each fuzz target (debug + ASan); before `swift test`, whose
# closing lines CI reads last.
scripts/fuzz.sh --smoke
swift test --parallel "$@"
