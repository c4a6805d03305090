#!/usr/bin/env bash
# Installs what tracebench needs on Debian 12 (run as root): libhiredis-dev (the Redis client library),
# redis-server (started privately by runs and tests) and zlib1g-dev. Does nothing when they are present.
set -euo pipefail
need=()
pkg-config --exists hiredis 2>/dev/null || need+=(libhiredis-dev)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
pkg-config --exists zlib 2>/dev/null || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# rotel (a Rust OTLP collector from PyPI) for the collector tests; they are skipped when it cannot be installed.
if ! python3 -c 'import rotel' >/dev/null 2>&1; then
  echo "installing: rotel (pip)" >&2
  python3 -m pip install -q --pre rotel >/dev/null 2>&1 || echo "warning: pip install rotel failed; collector tests will be skipped" >&2
fi
# Independent implementations the tests check tracebench's encoders against: HdrHistogram V2, JUnit XML and JSON Schema.
if ! python3 -c 'import hdrh, junitparser, jsonschema' >/dev/null 2>&1; then
  echo "installing: hdrhistogram junitparser jsonschema (pip)" >&2
  python3 -m pip install -q hdrhistogram junitparser jsonschema >/dev/null 2>&1 || echo "warning: pip install hdrhistogram junitparser jsonschema failed" >&2
fi
# Headless Chromium renders the HTML reports in a test, as a person would see them (skipped, loudly, without it).
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing: chromium (apt)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || echo "warning: chromium could not be installed; report rendering tests will be skipped" >&2
fi
dpkg -s libpython3.11 >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpython3.11 >/dev/null; } || true
# The third-party instrumented pipeline of the black-box tests (Tests/BlackBox/pipeline.py): the Python OpenTelemetry
# SDK with its Flask and redis-py instrumentations and its Zipkin JSON exporter, in a venv of the project's (ignored by git). The black-box tests
# are skipped, loudly, without it.
if ! .venv-blackbox/bin/python -c 'import flask, redis, opentelemetry.sdk, opentelemetry.instrumentation.flask, opentelemetry.exporter.zipkin.json' >/dev/null 2>&1; then
  echo "installing: the black-box test pipeline's packages (pip, .venv-blackbox)" >&2
  # The Zipkin exporter separately, pinned to the SDK just installed: named in one resolution with the instrumentations,
  # pip backtracked for minutes through versions of them.
  { python3 -m venv .venv-blackbox && .venv-blackbox/bin/pip install -q flask redis opentelemetry-sdk \
      opentelemetry-exporter-otlp-proto-http opentelemetry-instrumentation-flask opentelemetry-instrumentation-redis >/dev/null 2>&1 \
    && sdk="$(.venv-blackbox/bin/python -c 'from importlib.metadata import version; print(version("opentelemetry-sdk"))')" \
    && .venv-blackbox/bin/pip install -q "opentelemetry-exporter-zipkin-json==$sdk" >/dev/null 2>&1; } \
    || echo "warning: the black-box pipeline could not be installed; black-box tests will be skipped" >&2
fi
