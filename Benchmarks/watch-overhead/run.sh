#!/bin/sh
# memwatchd's own CPU and memory while it watches a busy app: `memwatchd run`
# (release build, defaults: trend detector, 1 s /proc sampling) on a busy,
# non-leaking HTTP server for SECONDS, then memwatchd's utime+stime and VmHWM
# from /proc, beside the app's own CPU over the same time, and the number of
# GC lines the app printed (counted by a second, identical run with
# --keep-gc-trace, whose output is counted and thrown away).
# Usage: Benchmarks/watch-overhead/run.sh [SECONDS=60]     NODE=... to choose node
set -eu
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-60}
NODE=${NODE:-node}
swift build -c release --product memwatchd >/dev/null
BIN=$PWD/.build/release/memwatchd
APP=Benchmarks/watch-overhead/busy-server.js
STATE=$(mktemp -d)
trap 'rm -rf "$STATE"' EXIT
TCK=$(getconf CLK_TCK)

cpu() { # pid -> seconds of user+system CPU (fields 14, 15 after the comm)
    sed 's/^.*) //' "/proc/$1/stat" | awk -v t="$TCK" '{ printf "%.2f", ($12 + $13) / t }'
}

"$BIN" run --state-dir "$STATE/a" -- "$NODE" "$APP" > "$STATE/out" 2> "$STATE/err" &
watcher=$!
sleep 1
app=$(pgrep -P "$watcher" -n)
start_w=$(cpu "$watcher"); start_a=$(cpu "$app")
sleep "$SECONDS_TO_RUN"
end_w=$(cpu "$watcher"); end_a=$(cpu "$app")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$watcher/status")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$watcher/status")
threads=$(awk '/^Threads/ { print $2 }' "/proc/$watcher/status")
kill -TERM "$watcher"; wait "$watcher" || true
served=$(tail -1 "$STATE/out")

# The same again, with the trace kept, to count GC lines per second.
"$BIN" run --keep-gc-trace --state-dir "$STATE/b" -- "$NODE" "$APP" 2>/dev/null \
    | grep -c ' ms: ' > "$STATE/gclines" &
sleep 1
watcher=$(pgrep -n -f "^$BIN run --keep-gc-trace --state-dir $STATE/b")
sleep "$SECONDS_TO_RUN"
kill -TERM "$watcher"; wait || true

w=$(echo "$end_w - $start_w" | bc -l); a=$(echo "$end_a - $start_a" | bc -l)
printf 'node %s, %s s, load %s\n' "$("$NODE" --version)" "$SECONDS_TO_RUN" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'app (node busy-server.js): %.2f s CPU (%.1f%% of a core); %s\n' "$a" "$(echo "100 * $a / $SECONDS_TO_RUN" | bc -l)" "$served"
printf 'memwatchd run:             %.2f s CPU (%.2f%% of a core, %.2f%% of the app'"'"'s), VmHWM %s kB, VmRSS %s kB, %s threads\n' \
    "$w" "$(echo "100 * $w / $SECONDS_TO_RUN" | bc -l)" "$(echo "100 * $w / $a" | bc -l)" "$hwm" "$rss" "$threads"
printf 'GC lines the app printed (second run): %s in %s s\n' "$(cat "$STATE/gclines")" "$SECONDS_TO_RUN"
printf 'events recorded: %s\n' "$("$BIN" events --state-dir "$STATE/a" --json | grep -c '"type"' || true)"
