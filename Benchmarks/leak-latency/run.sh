#!/bin/sh
# Leak-decision latency of `memwatchd run` (release build) on a fast-leaking app:
#  A. strace: the read() of the app's stdout that brought the GC line deciding
#     the leak (its stamp is the leak event's details.at_ms) -> the
#     pidfd_send_signal; and the inotify read naming the snapshot -> the SQLite
#     WAL write that records it. strace stops every traced syscall, so these
#     figures are upper bounds.
#  B. no tracer: the same GC line as seen by a reader of memwatchd's stdout
#     (--keep-gc-trace, stamped on arrival) -> the snapshot file's birth time
#     (statx btime). Includes node's own reaction to SIGUSR2 (its signal
#     watcher runs on the event loop) and the downstream pipe; an upper bound too.
# Usage: Benchmarks/leak-latency/run.sh [RUNS=5]     NODE=... to choose node, METHODS=A or B for one
set -eu
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
NODE=${NODE:-node}
METHODS=${METHODS:-AB}
HERE=Benchmarks/leak-latency
swift build -c release --product memwatchd >/dev/null
BIN=$PWD/.build/release/memwatchd
WORK=$(mktemp -d)
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; WORK=$KEEP; else trap 'rm -rf "$WORK"' EXIT; fi

# Runs memwatchd until the snapshot is recorded, then stops it.
stop_after_snapshot() { # pid state
    for _ in $(seq 600); do
        sleep 0.1
        if "$BIN" events --state-dir "$2" --json 2>/dev/null | grep -q '"type" *: *"snapshot"'; then break; fi
    done
    kill -TERM "$1" 2>/dev/null || true
}

echo "node $($NODE --version), $RUNS runs each; load: $(cut -d' ' -f1-3 /proc/loadavg)"
case $METHODS in *A*)
for i in $(seq "$RUNS"); do
    state=$WORK/a$i
    # --seccomp-bpf: only the traced calls stop the tracee, the rest run free.
    strace -f --seccomp-bpf -ttt -T -s 300000 -e trace=read,pidfd_send_signal,pwrite64 -o "$WORK/strace$i.log" \
        "$BIN" run --state-dir "$state" -- "$NODE" "$HERE/leak.js" >/dev/null 2>&1 &
    sleep 0.5
    pid=$(pgrep -n -f "^$BIN run --state-dir $state" || true)
    stop_after_snapshot "$pid" "$state"
    wait || true
    "$BIN" events --state-dir "$state" --json > "$WORK/events$i.json"
    printf 'A%s  ' "$i"; python3 "$HERE/analyze.py" strace "$WORK/events$i.json" "$WORK/strace$i.log" || true
done;; esac
case $METHODS in *B*)
for i in $(seq "$RUNS"); do
    state=$WORK/b$i
    ( "$BIN" run --keep-gc-trace --state-dir "$state" -- "$NODE" "$HERE/leak.js" 2>/dev/null \
        | python3 "$HERE/stamp_lines.py" "$WORK/stamped$i.txt" ) &
    sleep 0.2
    pid=$(pgrep -n -f "^$BIN run --keep-gc-trace --state-dir $state" || true)
    stop_after_snapshot "$pid" "$state"
    wait || true
    "$BIN" events --state-dir "$state" --json > "$WORK/events-b$i.json"
    printf 'B%s  ' "$i"; python3 "$HERE/analyze.py" stamps "$WORK/events-b$i.json" "$WORK/stamped$i.txt" "$state/snapshots" || true
done;; esac
