#!/usr/bin/env bash
# Quick start 1: build tracebench in release and run the peak scenario (or the scenario given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product tracebench
exec .build/release/tracebench run "${1:-scenarios/peak.yaml}"
