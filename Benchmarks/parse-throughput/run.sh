#!/usr/bin/env bash
# Parse throughput of the GC trace reader (LineReader + GCTraceParser, release
# optimisation) against `wc -l` and the Python `re` reference parser, on the
# same generated >= 1 GB GC log read from the page cache.
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

# The Swift side: `memwatchd analyze` once it exists, else the scanner that
# analyze reads with, compiled at the same optimisation as the release build.
if swift build -c release --product memwatchd >/dev/null 2>&1 && .build/release/memwatchd --help 2>/dev/null | grep -qw analyze; then
    swift_cmd=(.build/release/memwatchd analyze "$log")
    swift_name="memwatchd analyze (release)"
else
    mkdir -p .build/parse-throughput
    bench=$PWD/.build/parse-throughput/bench
    # Built inside .build: swiftc leaves module files in its working directory.
    (cd .build/parse-throughput && swiftc -Ounchecked -wmo -module-name ParseBench \
        "$OLDPWD"/Sources/MemWatchCore/GCTrace/*.swift "$OLDPWD/$here/main.swift" -o "$bench")
    swift_cmd=("$bench" "$log")
    swift_name="GCTraceFileScanner (swiftc -Ounchecked -wmo)"
fi

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
echo "GC lines found: swift: $("${swift_cmd[@]}" | tail -1)"
echo "                python: $(python3 "$pyparse" "$log")"
read -r wc_wall wc_cpu < <(best wc -l "$log")
read -r py_wall py_cpu < <(best python3 "$pyparse" "$log")
read -r sw_wall sw_cpu < <(best "${swift_cmd[@]}")
report "wc -l" "$wc_wall $wc_cpu"
report "python3 pyparse.py" "$py_wall $py_cpu"
report "$swift_name" "$sw_wall $sw_cpu"
echo "swift vs python: wall $(echo "scale=1; $py_wall / $sw_wall" | bc -l)x, cpu $(echo "scale=1; $py_cpu / $sw_cpu" | bc -l)x"
echo "swift vs wc -l:  wall $(echo "scale=2; $wc_wall / $sw_wall" | bc -l)x, cpu $(echo "scale=2; $wc_cpu / $sw_cpu" | bc -l)x"
