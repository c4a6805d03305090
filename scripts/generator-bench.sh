#!/usr/bin/env bash
# The load generator against the HTTP client floor, side by side in one run (issue: the harness is never the
# bottleneck). A minimal fast endpoint on loopback (nginx, one worker, `return 201`); wrk -t1 -c64 against it for its
# closed-loop ceiling and CPU per request; then tracebench's generator (a load-only target: the same request, open
# model) at rising rates against the same endpoint. Per rate: achieved rate, lag p50/p99, late share, CPU µs per
# request of each tool and their ratio. CPU is the process's own (wait4 rusage, user + system); tracebench's is net of a
# 1-request-per-second run of the same length (start-up, the sink, the resource sampler), so what is left is what the
# requests cost.
#   scripts/generator-bench.sh [SECONDS] [RATES] [--instructions] [--wrk2 PATH] [--batch-window-us N]
#                                                    defaults: 10 s, "1000 2000 5000 10000 20000 40000"
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light). Writes results/generator-bench/*.json.
# With wrk2 (an open-loop peer: github.com/giltene/wrk2, `make`; found on PATH or given with --wrk2) each rate is also
# offered by wrk2, and its CPU per request printed beside tracebench's. --instructions counts instructions per request
# of tracebench, wrk and wrk2 under valgrind's callgrind (apt-get install valgrind; about 3 minutes more).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
rates="${2:-1000 2000 5000 10000 20000 40000}"
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "generator-bench: $tool is not installed (apt-get install wrk nginx-light)" >&2; exit 2; }
done
scripts/setup.sh >/dev/null
swift build -c release --product tracebench >/dev/null 2>&1
exec python3 -u scripts/generator_bench.py --seconds "$seconds" --rates "$rates" --tracebench .build/release/tracebench "${@:3}"
