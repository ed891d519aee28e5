#!/usr/bin/env bash
# Process churn (a benchmark, not a test): `memwatchd run` (release build) over
# a node driver that spawns COUNT short-lived children, one every
# DURATION/COUNT s (0.3 s by default), each printing a few dozen GC-trace-like
# lines with its own pid to the shared stdout and exiting after 1-3 s. Samples
# memwatchd's VmRSS (and VmHWM, threads, open fds) every SAMPLE s and reports
# RSS after the first minute, at the end, and the drift. Target: drift within 2 MB.
# Usage: Benchmarks/process-churn/run.sh      COUNT=2000 DURATION=600 SAMPLE=10 NODE=node
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-2000}
DURATION=${DURATION:-600}
SAMPLE=${SAMPLE:-10}
NODE=${NODE:-node}
INTERVAL_MS=$(( DURATION * 1000 / COUNT ))
swift build -c release --product memwatchd >&2
BIN=$PWD/.build/release/memwatchd
TMP=$(mktemp -d "${TMPDIR:-/tmp}/memwatchd-churn.XXXXXX")
mw=
cleanup() {
    if [ -n "$mw" ] && kill -0 "$mw" 2>/dev/null; then kill -TERM "$mw" 2>/dev/null || true; wait "$mw" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

status() { # pid field -> kB
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

echo "process churn: $COUNT children, one every ${INTERVAL_MS} ms, sample every ${SAMPLE} s; nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" run --state-dir "$TMP/state" -- "$NODE" Benchmarks/process-churn/driver.js "$COUNT" "$INTERVAL_MS" \
    > "$TMP/out" 2> "$TMP/err" &
mw=$!
start=$(date +%s)
printf '%6s %9s %9s %9s %9s %7s %5s %8s\n' "t(s)" "VmRSS kB" "VmHWM kB" "RssAnon" "RssFile" threads fds children
rss_1min=
last=
while kill -0 "$mw" 2>/dev/null; do
    now=$(( $(date +%s) - start ))
    rss=$(status "$mw" VmRSS); hwm=$(status "$mw" VmHWM); threads=$(status "$mw" Threads)
    anon=$(status "$mw" RssAnon); file=$(status "$mw" RssFile)
    fds=$(ls "/proc/$mw/fd" 2>/dev/null | wc -l)
    children=$(pgrep -f -c 'process-churn/child.sh' || true)
    [ -n "$rss" ] || break
    printf '%6d %9s %9s %9s %9s %7s %5s %8s\n' "$now" "$rss" "$hwm" "$anon" "$file" "$threads" "$fds" "$children"
    if [ -z "$rss_1min" ] && [ "$now" -ge 60 ]; then rss_1min=$rss; fi
    last=$rss
    sleep "$SAMPLE"
done
wait "$mw" && rc=0 || rc=$?
mw=
end=$(( $(date +%s) - start ))
gclines=$(grep -c 'ms: ' "$TMP/out" || true)
applines=$(grep -c '^app line' "$TMP/out" || true)
echo "memwatchd exited $rc after ${end} s; app lines through: $applines, GC lines left in stdout: $gclines"
grep -v '^memwatchd: .*dry' "$TMP/err" | tail -5 || true
events=$("$BIN" events --state-dir "$TMP/state" 2>/dev/null | wc -l || true)
echo "events recorded: $events lines of 'memwatchd events'"
if [ -n "$rss_1min" ] && [ -n "$last" ]; then
    drift=$(( last - rss_1min ))
    echo "RSS after 1 min: $rss_1min kB; at the end: $last kB; drift: $drift kB (target: within 2048 kB)"
else
    echo "RSS: run shorter than a minute; last $last kB"
fi
