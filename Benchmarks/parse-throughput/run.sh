#!/usr/bin/env bash
# Throughput of `memwatchd analyze --json` (release build) and of the GC trace
# reader it uses (LineReader + GCTraceParser) against `wc -l` and the Python
# `re` reference parser, on the same generated >= 1 GB GC log read from the
# page cache.
#
# usage: Benchmarks/parse-throughput/run.sh [LOG]   (SIZE_MB=1100 RUNS=3 by default)
#   BASELINE=REV also builds both readers as git revision REV built them
#   (its own sources and Package.swift; its scanner with -Ounchecked if its
#   MemWatchCore was) and times each pair alternately, so both see the same
#   machine load.
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
# GCTraceParser), compiled as the release build compiles MemWatchCore.
swift build -c release --product memwatchd >/dev/null
analyze_cmd=(.build/release/memwatchd analyze "$log" --json)
bench_dir=$PWD/.build/parse-throughput
build_scanner() {  # output, swiftc optimisation flag
    mkdir -p "$bench_dir"
    # Built inside .build: swiftc leaves module files in its working directory.
    (cd "$bench_dir" && swiftc "$2" -wmo -module-name ParseBench \
        "$OLDPWD"/Sources/MemWatchCore/GCTrace/*.swift "$OLDPWD/$here/main.swift" -o "$1")
}
build_scanner "$bench_dir/bench" -O
scan_cmd=("$bench_dir/bench" "$log")

if [ -n "${BASELINE:-}" ]; then
    # REV's package as it was, beside this checkout (its own scratch path, so
    # the dependencies build once).
    baseline_pkg=$PWD/.cache/baseline-package
    revision=$(git rev-parse "$BASELINE")
    if [ "$(cat "$baseline_pkg/.revision" 2>/dev/null)" != "$revision" ]; then
        rm -rf "$baseline_pkg" && mkdir -p "$baseline_pkg"
        git archive "$revision" | tar -x -C "$baseline_pkg"
        echo "$revision" > "$baseline_pkg/.revision"
    fi
    [ -f Package.resolved ] && cp Package.resolved "$baseline_pkg/"
    swift build -c release --product memwatchd --package-path "$baseline_pkg" --scratch-path .build-baseline >/dev/null
    baseline_analyze_cmd=(.build-baseline/release/memwatchd analyze "$log" --json)
    baseline_opt=-O
    grep -q Ounchecked "$baseline_pkg/Package.swift" && baseline_opt=-Ounchecked
    mkdir -p "$bench_dir"
    (cd "$bench_dir" && swiftc "$baseline_opt" -wmo -module-name ParseBench \
        "$baseline_pkg"/Sources/MemWatchCore/GCTrace/*.swift "$baseline_pkg/$here/main.swift" -o "$bench_dir/bench-baseline")
    baseline_scan_cmd=("$bench_dir/bench-baseline" "$log")
fi

cat "$log" >/dev/null   # into the page cache
cat "$log" >/dev/null

# Best of $runs runs of each command given (output discarded), the commands
# taking turns: wall seconds and CPU (user+sys) seconds, one "wall cpu" line
# per command. The machine may be shared: CPU time is the steadier figure.
best() {  # names of command arrays
    local -A best_wall=() best_cpu=()
    local name line wall cpu
    for _ in $(seq "$runs"); do
        for name in "$@"; do
            local -n cmd=$name
            line=$( { TIMEFORMAT='%R %U %S'; time "${cmd[@]}" >/dev/null; } 2>&1 | tail -1)
            unset -n cmd
            wall=$(echo "$line" | awk '{print $1}')
            cpu=$(echo "$line" | awk '{print $2 + $3}')
            if [ -z "${best_wall[$name]:-}" ] || [ "$(echo "$wall < ${best_wall[$name]}" | bc -l)" = 1 ]; then best_wall[$name]=$wall; fi
            if [ -z "${best_cpu[$name]:-}" ] || [ "$(echo "$cpu < ${best_cpu[$name]}" | bc -l)" = 1 ]; then best_cpu[$name]=$cpu; fi
        done
    done
    for name in "$@"; do echo "${best_wall[$name]} ${best_cpu[$name]}"; done
}
mbps() { echo "scale=0; $bytes / 1048576 / $1" | bc -l; }
report() {  # name, "wall cpu"
    set -- "$1" $2
    printf '%-46s wall %7.3f s %6s MB/s   cpu %7.3f s %6s MB/s\n' "$1" "$2" "$(mbps "$2")" "$3" "$(mbps "$3")"
}

echo "file: $log, $((bytes / 1048576)) MB, $(nproc) cores, best of $runs runs"
echo "GC lines found: scanner: $("${scan_cmd[@]}" | tail -1)"
echo "                python: $(python3 "$pyparse" "$log")"
wc_cmd=(wc -l "$log")
py_cmd=(python3 "$pyparse" "$log")
{ read -r wc_wall wc_cpu; read -r py_wall py_cpu; } < <(best wc_cmd py_cmd)
report "wc -l" "$wc_wall $wc_cpu"
report "python3 pyparse.py" "$py_wall $py_cpu"
if [ -n "${BASELINE:-}" ]; then
    { read -r bsc_wall bsc_cpu; read -r sc_wall sc_cpu; } < <(best baseline_scan_cmd scan_cmd)
    { read -r ban_wall ban_cpu; read -r an_wall an_cpu; } < <(best baseline_analyze_cmd analyze_cmd)
    report "GCTraceFileScanner, $BASELINE ($baseline_opt)" "$bsc_wall $bsc_cpu"
    report "GCTraceFileScanner (swiftc -O -wmo)" "$sc_wall $sc_cpu"
    report "memwatchd analyze --json, $BASELINE" "$ban_wall $ban_cpu"
    report "memwatchd analyze --json (release)" "$an_wall $an_cpu"
else
    { read -r sc_wall sc_cpu; read -r an_wall an_cpu; } < <(best scan_cmd analyze_cmd)
    report "GCTraceFileScanner (swiftc -O -wmo)" "$sc_wall $sc_cpu"
    report "memwatchd analyze --json (release)" "$an_wall $an_cpu"
fi
ratio() { echo "scale=${3:-1}; $1 / $2" | bc -l; }
echo "analyze vs python: wall $(ratio "$py_wall" "$an_wall")x, cpu $(ratio "$py_cpu" "$an_cpu")x"
echo "scanner vs python: wall $(ratio "$py_wall" "$sc_wall")x, cpu $(ratio "$py_cpu" "$sc_cpu")x"
echo "analyze vs wc -l:  wall $(ratio "$wc_wall" "$an_wall" 2)x, cpu $(ratio "$wc_cpu" "$an_cpu" 2)x"
if [ -n "${BASELINE:-}" ]; then
    echo "speed vs $BASELINE: analyze wall $(ratio "$ban_wall" "$an_wall" 3)x, cpu $(ratio "$ban_cpu" "$an_cpu" 3)x;" \
        "scanner wall $(ratio "$bsc_wall" "$sc_wall" 3)x, cpu $(ratio "$bsc_cpu" "$sc_cpu" 3)x"
    cmp -s <("${baseline_analyze_cmd[@]}") <("${analyze_cmd[@]}") && echo "analyze --json output: identical to $BASELINE's"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "peak RSS of analyze: $( { /usr/bin/time -f %M "${analyze_cmd[@]}" >/dev/null; } 2>&1 | tail -1) KB"
