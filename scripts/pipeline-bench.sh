#!/usr/bin/env bash
# The built-in pipeline against Redis's own ceiling for one job's commands, in one run (see scripts/pipeline_bench.py):
# redis-benchmark and the server's CPU per command, then `tracebench capacity` on the pipeline with tracing off, then
# the ratio. Release build.   scripts/pipeline-bench.sh [REQUESTS_PER_COMMAND]   (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
swift build -c release --product tracebench >/dev/null 2>&1
exec python3 scripts/pipeline_bench.py --tracebench .build/release/tracebench --requests "${1:-200000}" --out results/pipeline-bench
