#!/usr/bin/env bash
# Engine scale benchmark (not a test): WatchEngine watching PROCESSES (200)
# `sleep 600` children, each given ~RATE (20) GC trace lines/s through a
# TraceSource of the benchmark's own, parsed by GCTraceParser, with a
# SamplingService at 1 s, for DURATION (60) s. Beside it, in the same run: the
# trace generator alone, generator + parser, the bare /proc reads of 60
# sampler rounds and HostSampler's 60 rounds. Prints CPU as a share of one
# core and RSS.
# Usage: Benchmarks/engine-scale/run.sh      DURATION=60 REF_DURATION=30 PROCESSES=200 RATE=20
set -euo pipefail
cd "$(dirname "$0")"
configuration="${CONFIGURATION:-release}"
# The root package is a path dependency: drop the cached build plan so sources
# added there since the last run are seen (objects stay, the build is incremental).
rm -f ".build/$configuration.yaml"
swift build -c "$configuration" --product EngineScale >&2
echo "nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg) at start"
".build/$configuration/EngineScale"
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at end"
