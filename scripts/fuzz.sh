#!/usr/bin/env bash
# Fuzzes the GC trace parser (one line; a whole log through LineReader and the
# detectors), the pass-through filter and the heap snapshot reader with
# libFuzzer, in debug builds with AddressSanitizer and Swift's overflow and
# bounds checks on. Corpora are seeded from Tests/Fixtures.
#
# usage: scripts/fuzz.sh [--smoke] [TARGET...]
#   targets: gc-line gc-chunked trace-filter heap-snapshot (default: all)
#   default: 10,000,000 inputs each (RUNS=N to change, FUZZ_SECONDS=N to stop
#   sooner); --smoke: 5 s each.
#   FUZZ_OPT=-O builds optimised (about 4x the inputs a second): overflow and
#   bounds checks stay on, only assert() goes, and the fuzzed code has none.
# Builds, corpora and crash inputs live in .build-fuzz/. Exits non-zero on the
# first target that crashes, naming the saved input.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=(-runs="${RUNS:-10000000}")
# FUZZ_SECONDS=N stops each target after N seconds if the runs are not done.
[ -n "${FUZZ_SECONDS:-}" ] && limit+=(-max_total_time="$FUZZ_SECONDS")
if [ "${1:-}" = --smoke ]; then limit=(-max_total_time=5); shift; fi
all=(gc-line gc-chunked trace-filter heap-snapshot)
targets=("${@:-${all[@]}}")
out=$PWD/.build-fuzz
opt=${FUZZ_OPT:--Onone}
bin=$out/bin$opt
src=Sources/MemWatchCore

sources() {  # the library files and harness each target is built from
    local trace=("$src"/GCTrace/*.swift "$src"/System/SystemCall.swift)
    local detect=("$src"/Detection/*.swift "$src"/Alerts/HumanReadable.swift "$src"/Alerts/TextTable.swift)
    case $1 in
        gc-line) echo "${trace[@]}" "${detect[@]}" Fuzz/FuzzGCTraceLine.swift ;;
        gc-chunked) echo "${trace[@]}" "${detect[@]}" Fuzz/FuzzInput.swift Fuzz/ScratchFile.swift Fuzz/FuzzGCTraceChunked.swift ;;
        trace-filter) echo "${trace[@]}" "$src"/Supervision/TraceOutputFilter.swift Fuzz/FuzzInput.swift Fuzz/FuzzTraceOutputFilter.swift ;;
        heap-snapshot) echo "$src"/HeapAnalysis/*.swift "$src"/System/SystemCall.swift "$src"/Alerts/HumanReadable.swift Fuzz/ScratchFile.swift Fuzz/FuzzHeapSnapshotReader.swift ;;
        *) echo "scripts/fuzz.sh: unknown target $1 (targets: ${all[*]})" >&2; exit 2 ;;
    esac
}

build() {  # target; rebuilt only when a source is newer than the binary
    local target=$1 files
    read -ra files <<< "$(sources "$target")"
    if [ -x "$bin/$target" ] && [ -z "$(find "${files[@]}" -newer "$bin/$target")" ]; then return; fi
    mkdir -p "$out/obj$opt/$target" "$bin"
    # Built in its own directory: swiftc leaves module files in the working
    # directory. Its log is shown on failure only (ld.gold warns about ASan's symbols).
    # swift-system (Errno) comes from the debug build `swift build` made.
    local debug=$PWD/.build/debug csystem=$PWD/.build/checkouts/swift-system/Sources/CSystem/include
    if ! (cd "$out/obj$opt/$target" && swiftc -sanitize=fuzzer,address -parse-as-library -g "$opt" \
        -I "$debug/Modules" -I "$csystem" \
        -module-name "Fuzz_${target//-/_}" "${files[@]/#/$OLDPWD/}" \
        "$debug"/SystemPackage.build/*.o "$debug"/CSystem.build/*.o -o "$bin/$target") >"$out/obj$opt/$target.log" 2>&1; then
        grep -v 'ld.gold: warning' "$out/obj$opt/$target.log" >&2
        echo "scripts/fuzz.sh: building $target failed" >&2
        return 1
    fi
}

for target in "${targets[@]}"; do sources "$target" >/dev/null; done
# Two builds at once: the machine has two cores.
pids=()
for target in "${targets[@]}"; do
    build "$target" & pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done

python3 Fuzz/make-seeds.py . "$out/seeds"
for target in "${targets[@]}"; do
    corpus=$out/corpus/$target crashes=$out/crashes/$target log=$out/$target$opt.log
    mkdir -p "$corpus" "$crashes"
    start=$(date +%s%N)
    status=0
    # -max_len: a few trace lines are enough to cross every boundary, and the
    # chunked targets cost up to the square of it; a snapshot needs room for its meta.
    max_len=1024; [ "$target" = heap-snapshot ] && max_len=4096
    "$bin/$target" "${limit[@]}" -max_len=$max_len -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "$out/seeds/$target" >"$log" 2>&1 || status=$?
    # Tenths of a second in shell arithmetic: no bc on a bare machine.
    tenths=$(( ($(date +%s%N) - start) / 100000000 ))
    seconds="$((tenths / 10)).$((tenths % 10))"
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    printf 'fuzz %-14s %10s inputs in %6.1f s' "$target" "$runs" "$seconds"
    if [ "$status" -ne 0 ]; then
        echo "  CRASH (exit $status)"
        grep -m1 -E 'ERROR: |Fatal error|runtime failure|==ERROR' "$log" || true
        grep -h 'Test unit written to' "$log" | sed 's/^/    /'
        echo "    full log: $log" >&2
        exit 1
    fi
    echo "  ok"
done
