#!/usr/bin/env bash
# Throughput of `memwatchd analyze --json` (release build) and of the GC trace
# reader it uses (LineReader + GCTraceParser) against `wc -l` and the Python
# `re` reference parser, on the same generated >= 1 GB GC log read from the
# page cache.
#
# usage: Benchmarks/parse-throughput/run.sh [LOG]   (SIZE_MB=1100 RUNS=3 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=Benchmarks/parse-throughput
log=${1:-${TMPDIR:-/tmp}/memwatchd-parse-bench/gc-trace.log}
size_mb=${SIZE_MB:-1100}
runs=${RUNS:-3}
pyparse=${PYPARSE:-../shared/bench/pyparse.py}
[ -f "$pyparse" ] || pyparse=/work/shared/bench/pyparse.py

mkdir -p "$(dirname "$log")"
if [ ! -f "$log" ] || [ "$(stat -c %s "$log")" -lt $((size_mb * 1024 * 1024)) ]; then
    echo "generating $log ($size_mb MB)..." >&2
    python3 "$here/generate.py" "$log" "$size_mb" >/dev/null
fi
bytes=$(stat -c %s "$log")

# The real command, `memwatchd analyze --json` (release build: read, parse,
# detect, report), and the scanner it reads with alone (LineReader +
# GCTraceParser), compiled at the release build's optimisation.
swift build -c release --product memwatchd >/dev/null
analyze_cmd=(.build/release/memwatchd analyze "$log" --json)
mkdir -p .build/parse-throughput
bench=$PWD/.build/parse-throughput/bench
# Built inside .build: swiftc leaves module files in its working directory.
(cd .build/parse-throughput && swiftc -Ounchecked -wmo -module-name ParseBench \
    "$OLDPWD"/Sources/MemWatchCore/GCTrace/*.swift "$OLDPWD/$here/main.swift" -o "$bench")
scan_cmd=("$bench" "$log")

cat "$log" >/dev/null   # into the page cache
cat "$log" >/dev/null

# Best of $runs runs of "$@" (output discarded): wall seconds and CPU (user+sys)
# seconds. The machine may be shared: CPU time is the steadier figure.
best() {
    local best_wall="" best_cpu="" line wall cpu
    for _ in $(seq "$runs"); do
        line=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null; } 2>&1 | tail -1)
        wall=$(echo "$line" | awk '{print $1}')
        cpu=$(echo "$line" | awk '{print $2 + $3}')
        if [ -z "$best_wall" ] || [ "$(echo "$wall < $best_wall" | bc -l)" = 1 ]; then best_wall=$wall; fi
        if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc -l)" = 1 ]; then best_cpu=$cpu; fi
    done
    echo "$best_wall $best_cpu"
}
mbps() { echo "scale=0; $bytes / 1048576 / $1" | bc -l; }
report() {  # name, "wall cpu"
    set -- "$1" $2
    printf '%-46s wall %7.3f s %6s MB/s   cpu %7.3f s %6s MB/s\n' "$1" "$2" "$(mbps "$2")" "$3" "$(mbps "$3")"
}

echo "file: $log, $((bytes / 1048576)) MB, $(nproc) cores, best of $runs runs"
echo "GC lines found: scanner: $("${scan_cmd[@]}" | tail -1)"
echo "                python: $(python3 "$pyparse" "$log")"
read -r wc_wall wc_cpu < <(best wc -l "$log")
read -r py_wall py_cpu < <(best python3 "$pyparse" "$log")
read -r sc_wall sc_cpu < <(best "${scan_cmd[@]}")
read -r an_wall an_cpu < <(best "${analyze_cmd[@]}")
report "wc -l" "$wc_wall $wc_cpu"
report "python3 pyparse.py" "$py_wall $py_cpu"
report "GCTraceFileScanner (swiftc -Ounchecked -wmo)" "$sc_wall $sc_cpu"
report "memwatchd analyze --json (release)" "$an_wall $an_cpu"
ratio() { echo "scale=${3:-1}; $1 / $2" | bc -l; }
echo "analyze vs python: wall $(ratio "$py_wall" "$an_wall")x, cpu $(ratio "$py_cpu" "$an_cpu")x"
echo "scanner vs python: wall $(ratio "$py_wall" "$sc_wall")x, cpu $(ratio "$py_cpu" "$sc_cpu")x"
echo "analyze vs wc -l:  wall $(ratio "$wc_wall" "$an_wall" 2)x, cpu $(ratio "$wc_cpu" "$an_cpu" 2)x"
echo "peak RSS of analyze: $( { /usr/bin/time -f %M "${analyze_cmd[@]}" >/dev/null; } 2>&1 | tail -1) KB"
