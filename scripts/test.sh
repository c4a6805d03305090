#!/usr/bin/env bash
# Quick start 2: the whole test suite (unit, integration against a real redis-server, end-to-end runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
