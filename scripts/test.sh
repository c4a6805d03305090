#!/usr/bin/env bash
# Quick start 2: the whole test suite (unit, integration against a real redis-server, end-to-end runs), then a short
# fuzzing smoke of the OTLP decoders, the gzip inflater and the scenario loader (scripts/fuzz.sh; FUZZ_SECONDS=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
if [ $# -gt 0 ]; then
  swift test --skip-build "$@"
else
  # The collector-under-test suites (a real rotel between the SDKs and the sink, its drain and counters) and the
  # black-box overhead suite (milliseconds judged from outside, in a test process of its own: beside the collector
  # suites its blocks' medians moved by ±1.3 ms and 4 ms could not be told from 0) run on their own after the rest: with the whole suite
  # sharing 2 cores, rotel's gRPC exporter once lagged its own receiver past the drain (spans out != spans in), and a
  # starved Python API queued requests for hundreds of ms: the machine, not a finding. Everything else runs in parallel.
  # The interrupt test runs alone too: next to the other suites in one test process, the SIGTERM it sends to a child
  # `tracebench run` (whose handlers were installed, the signal unblocked) did not interrupt that run; alone it does.
  # Not understood yet (see the session note); it is not hidden: it runs, on its own.
  # The multi-host suites run on their own, one after the other: each starts agents, endpoints, Redis servers and
  # pipeline processes by the dozen (beside the whole suite they starved it: a 2 s client timeout once took 23 s), and
  # the namespaced run compares a merged median with a single host's within the timer jitter it measured.
  swift test --skip-build --skip 'CollectorTests|QuietOverheadTests|interruptedRunStillWritesFlaggedResults|AgentRunTests|AgentNamespaceTests'
  swift test --skip-build --filter 'AgentRunTests'
  swift test --skip-build --filter 'AgentNamespaceTests'
  swift test --skip-build --filter 'CollectorTests'
  swift test --skip-build --filter 'QuietOverheadTests'
  swift test --skip-build --filter 'interruptedRunStillWritesFlaggedResults'
fi
if [ "${FUZZ_SECONDS:-10}" != 0 ]; then
  scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
fi
