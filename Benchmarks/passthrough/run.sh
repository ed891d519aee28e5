#!/bin/sh
# Pass-through throughput: a node app writing 500 MB to stdout, straight to
# /dev/null vs through memwatchd's supervisor and trace filter (release build).
# Usage: Benchmarks/passthrough/run.sh [MB] [RUNS]   (defaults 500, 5)
# Prints the best wall time of each and the ratio direct/supervised (target >= 0.8).
set -eu
cd "$(dirname "$0")/../.."
MB=${1:-500} RUNS=${2:-5}
export MB
swift build -c release --product memwatchd >/dev/null
BIN=.build/release/memwatchd
NODE=${NODE:-node}
WRITER=Benchmarks/passthrough/writer.js
STATE=$(mktemp -d)
trap 'rm -rf "$STATE"' EXIT

now() { date +%s.%N; }
best() { sort -n | head -1; }
measure() { # command... -> seconds
    start=$(now); "$@" > /dev/null; end=$(now)
    echo "$end - $start" | bc -l
}

# Memwatchd's own command, once it exists; else only the supervisor harness.
RUN_CMD=""
if "$BIN" --help 2>&1 | grep -qE '^ +run( |$)'; then RUN_CMD=yes; fi

direct=$(for i in $(seq "$RUNS"); do measure "$NODE" --trace-gc "$WRITER"; done | best)
piped=$(for i in $(seq "$RUNS"); do measure sh -c '"$0" --trace-gc "$1" | cat' "$NODE" "$WRITER"; done | best)
harness=$(for i in $(seq "$RUNS"); do measure "$BIN" _supervise --state-dir "$STATE" -- "$NODE" "$WRITER"; done | best)
# Sanity: the bytes that come through are the app's, all of them.
bytes=$("$BIN" _supervise --state-dir "$STATE" -- "$NODE" "$WRITER" | wc -c)

printf 'node %s, %s MB, best of %s\n' "$("$NODE" --version)" "$MB" "$RUNS"
printf 'direct  node --trace-gc writer.js > /dev/null           %.3f s  %.0f MB/s\n' "$direct" "$(echo "$MB / $direct" | bc -l)"
printf 'pipe    node --trace-gc writer.js | cat > /dev/null     %.3f s  %.0f MB/s  ratio %.2f\n' \
    "$piped" "$(echo "$MB / $piped" | bc -l)" "$(echo "$direct / $piped" | bc -l)"
printf 'memwatchd _supervise -- node writer.js > /dev/null      %.3f s  %.0f MB/s  ratio %.2f\n' \
    "$harness" "$(echo "$MB / $harness" | bc -l)" "$(echo "$direct / $harness" | bc -l)"
if [ -n "$RUN_CMD" ]; then
    run=$(for i in $(seq "$RUNS"); do measure "$BIN" run --state-dir "$STATE" -- "$NODE" "$WRITER"; done | best)
    printf 'memwatchd run -- node writer.js > /dev/null           %.3f s  %.0f MB/s  ratio %.2f\n' \
        "$run" "$(echo "$MB / $run" | bc -l)" "$(echo "$direct / $run" | bc -l)"
fi
printf 'bytes through the supervisor: %s, straight: %s\n' "$bytes" "$("$NODE" "$WRITER" | wc -c)"
