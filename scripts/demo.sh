#!/usr/bin/env bash
# The main job on a demo: builds memwatchd, then runs a leaking HTTP server under
# `memwatchd run`: memwatchd reports the leak, takes a heap snapshot and, 15 s later
# while the heap keeps growing, a second one, says what grew between them, and records it all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --product memwatchd 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' >&2 || true
bin=$(swift build --show-bin-path)/memwatchd
state=${MEMWATCHD_DEMO_STATE:-$PWD/.cache/demo-state}
mkdir -p "$state"
echo "demo: running examples/leaky-server.js under memwatchd (state dir $state)" >&2
status=0
DEMO_SECONDS=${DEMO_SECONDS:-90} "$bin" run --state-dir "$state" --snapshot-cooldown 15 --max-snapshots-per-process 2 -- node examples/leaky-server.js || status=$?
echo >&2
echo "demo: recorded events (memwatchd events --state-dir $state):" >&2
"$bin" events --state-dir "$state"
exit "$status"
