#!/usr/bin/env bash
# Snapshot latency benchmark (not a test). Builds its own small package against
# MemWatchCore and runs it against a real node process.
# Usage: Benchmarks/snapshot-latency/run.sh [ITERATIONS] [OBJECTS]   (NODE=/path/to/node to pick node)
set -euo pipefail
cd "$(dirname "$0")"
node="${NODE:-$(command -v node)}"
configuration="${CONFIGURATION:-release}"
# The root package is a path dependency: drop the cached build plan so sources
# added there since the last run are seen (objects stay, the build is incremental).
rm -f ".build/$configuration.yaml"
swift build -c "$configuration" --product SnapshotLatency >&2
exec ".build/$configuration/SnapshotLatency" "$node" "${1:-30}" "${2:-20000}"
