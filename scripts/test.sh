#!/usr/bin/env bash
# Quick start 2: the whole test suite (unit, integration against a real redis-server, end-to-end runs), then a short
# fuzzing smoke of the OTLP decoders, the gzip inflater and the scenario loader (scripts/fuzz.sh; FUZZ_SECONDS=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
if [ "${FUZZ_SECONDS:-10}" != 0 ]; then
  scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
fi
