#!/bin/sh
# Pass-through throughput: a node app writing 500 MB to stdout, straight to
# /dev/null, through a plain pipe (| cat), and through `memwatchd run`
# (release build: launch plan, preload, supervisor, trace filter, detectors,
# /proc sampling, event store), interleaved in the same run.
# Usage: Benchmarks/passthrough/run.sh [MB] [RUNS]   (defaults 500, 5)
# BRACKETS=1: every line starts with `[digits]`; LINES=1: one console.log per line.
# BASELINE_BIN=path/to/memwatchd: also times that build (e.g. an earlier commit's), alternately.
# Prints median and best wall time of each and the ratios direct/other (target >= 0.8).
set -eu
cd "$(dirname "$0")/../.."
MB=${1:-500} RUNS=${2:-5}
export MB
swift build -c release --product memwatchd >/dev/null
BIN=.build/release/memwatchd
NODE=${NODE:-node}
WRITER=Benchmarks/passthrough/writer.js
STATE=$(mktemp -d)
TIMES=$(mktemp -d)
trap 'rm -rf "$STATE" "$TIMES"' EXIT

now() { date +%s.%N; }
measure() { # label command... ; appends seconds to $TIMES/label
    label=$1; shift
    start=$(now); "$@" > /dev/null 2>&1; end=$(now)
    echo "$end - $start" | bc -l >> "$TIMES/$label"
}
median() { sort -n "$TIMES/$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
best() { sort -n "$TIMES/$1" | head -1; }

for i in $(seq "$RUNS"); do
    measure direct "$NODE" --trace-gc "$WRITER"
    measure pipe sh -c '"$0" --trace-gc "$1" | cat' "$NODE" "$WRITER"
    measure run "$BIN" run --state-dir "$STATE" -- "$NODE" "$WRITER"
    if [ -n "${BASELINE_BIN:-}" ]; then measure baseline "$BASELINE_BIN" run --state-dir "$STATE" -- "$NODE" "$WRITER"; fi
    # Start-up alone (node, preload, memwatchd) with 1 MB.
    MB=1 measure direct1 "$NODE" --trace-gc "$WRITER"
    MB=1 measure run1 "$BIN" run --state-dir "$STATE" -- "$NODE" "$WRITER"
done
# Sanity: the bytes that come through are the app's, all of them.
bytes=$("$BIN" run --state-dir "$STATE" -- "$NODE" "$WRITER" 2>/dev/null | wc -c)

report() { # label text
    m=$(median "$1"); b=$(best "$1"); d=$(median direct)
    printf '%-52s median %.3f s (%4.0f MB/s)  best %.3f s  ratio %.2f\n' "$2" "$m" "$(echo "$MB / $m" | bc -l)" "$b" "$(echo "$d / $m" | bc -l)"
}
printf 'node %s, %s MB, %s runs, load %s\n' "$("$NODE" --version)" "$MB" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
report direct 'node --trace-gc writer.js > /dev/null'
report pipe 'node --trace-gc writer.js | cat > /dev/null'
report run 'memwatchd run -- node writer.js > /dev/null'
printf 'memwatchd run vs | cat: ratio %.2f (medians)\n' "$(echo "$(median pipe) / $(median run)" | bc -l)"
if [ -n "${BASELINE_BIN:-}" ]; then
    report baseline "$BASELINE_BIN run (baseline)"
    printf 'this build vs the baseline: ratio %.2f (medians, baseline/this)\n' "$(echo "$(median baseline) / $(median run)" | bc -l)"
fi
d1=$(median direct1) r1=$(median run1)
printf 'start-up (1 MB): direct %.3f s, memwatchd run %.3f s; without it: direct %.0f MB/s, run %.0f MB/s, ratio %.2f\n' \
    "$d1" "$r1" "$(echo "($MB - 1) / ($(median direct) - $d1)" | bc -l)" "$(echo "($MB - 1) / ($(median run) - $r1)" | bc -l)" \
    "$(echo "($(median direct) - $d1) / ($(median run) - $r1)" | bc -l)"
printf 'bytes through memwatchd run: %s, straight: %s\n' "$bytes" "$("$NODE" "$WRITER" | wc -c)"
