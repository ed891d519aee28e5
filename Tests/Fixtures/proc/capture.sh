#!/bin/sh
# Copies the /proc and memory-cgroup files memwatchd reads for a process tree
# into a fixture tree: capture.sh ROOT_PID OUT_DIR
# OUT_DIR/proc/<pid>/{status,statm,stat,cmdline,cgroup,task/<tid>/}, OUT_DIR/proc/meminfo,
# OUT_DIR/sys/fs/cgroup/memory/<path>/memory.{limit,usage}_in_bytes (v1) or
# OUT_DIR/sys/fs/cgroup/<path>/memory.{max,current} (v2), with every ancestor.
set -eu
root=$1 out=$2
descendants() { for c in $(cat /proc/$1/task/*/children 2>/dev/null); do echo $c; descendants $c; done; }
pids="$root $(descendants $root)"
mkdir -p "$out/proc"
cp /proc/meminfo "$out/proc/meminfo"
for pid in $pids; do
    d="$out/proc/$pid"; mkdir -p "$d/task"
    for f in status statm stat cmdline cgroup; do cat /proc/$pid/$f > "$d/$f"; done
    for t in /proc/$pid/task/*; do mkdir -p "$d/task/${t##*/}"; cat "$t/stat" > "$d/task/${t##*/}/stat"; done
    path=$(sed -n 's/^[0-9]*:[^:]*memory[^:]*://p' /proc/$pid/cgroup)
    if [ -n "$path" ]; then
        p=$path
        while :; do
            src=/sys/fs/cgroup/memory$p; dst="$out/sys/fs/cgroup/memory$p"; mkdir -p "$dst"
            for f in memory.limit_in_bytes memory.usage_in_bytes; do cat "$src/$f" > "$dst/$f"; done
            [ "$p" = / ] && break; p=$(dirname "$p")
        done
    fi
done
echo "captured: $pids"
