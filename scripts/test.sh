#!/usr/bin/env bash
# The whole test suite: sets up what is missing, builds, runs unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-node-versions
swift build
swift test --parallel "$@"
