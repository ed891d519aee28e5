#!/bin/sh
# One short-lived "node-like" process: prints CHILD_LINES (default 36) GC-trace-like
# lines naming its own pid ($$ is this sh's pid: printf is a builtin, so the
# lines come from this process) over LIFE seconds (1-3), then exits.
# Usage: child.sh INDEX
i=${1:-0}
life=$(( i % 3 + 1 ))                   # 1, 2 or 3 s
lines=${CHILD_LINES:-36}
batches=6
per=$(( lines / batches ))
pause=$(awk -v l="$life" -v b="$batches" 'BEGIN { printf "%.3f", l / b }')
iso=$(printf '0x%x' $(( 0x5f1e000 + (i % 4096) * 16 )))
stamp=$(( 30 + i % 17 ))
b=0
n=0
while [ $b -lt $batches ]; do
    k=0
    while [ $k -lt $per ]; do
        n=$(( n + 1 ))
        stamp=$(( stamp + 37 + n % 11 ))
        before=$(( 60 + (n % 12) * 8 ))        # tenths of MB: a saw 6.0 .. 14.8
        if [ $(( n % 12 )) -eq 11 ]; then
            after=60
            printf '[%d:%s] %8d ms: Mark-Compact %d.%d (%d.0) -> %d.%d (%d.0) MB, 3.21 / 0.00 ms  (average mu = 0.987, current mu = 0.981) allocation failure; scavenge might not succeed\n' \
                $$ "$iso" $stamp $(( before / 10 )) $(( before % 10 )) 18 $(( after / 10 )) $(( after % 10 )) 16
        else
            after=$(( before - 3 ))
            printf '[%d:%s] %8d ms: Scavenge %d.%d (%d.0) -> %d.%d (%d.0) MB, 0.81 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure;\n' \
                $$ "$iso" $stamp $(( before / 10 )) $(( before % 10 )) 16 $(( after / 10 )) $(( after % 10 )) 17
        fi
        k=$(( k + 1 ))
    done
    echo "app line $n of child $i"
    sleep "$pause"
    b=$(( b + 1 ))
done
