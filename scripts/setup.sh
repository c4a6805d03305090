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
  python3 -m pip install -q rotel==0.0.1a15 >/dev/null 2>&1 || echo "warning: pip install rotel failed; collector tests will be skipped" >&2
fi
# Independent implementations the tests check tracebench's encoders against: HdrHistogram V2, JUnit XML and JSON Schema.
if ! python3 -c 'import hdrh, junitparser, jsonschema' >/dev/null 2>&1; then
  echo "installing: hdrhistogram junitparser jsonschema (pip)" >&2
  python3 -m pip install -q hdrhistogram==0.10.8 junitparser==5.0.3 jsonschema==4.26.0 >/dev/null 2>&1 || echo "warning: pip install hdrhistogram junitparser jsonschema failed" >&2
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
  # Every version pinned, a set known to work together: unpinned, a new SDK release (1.45.2) reached the package index
  # before its Zipkin exporter did, and a fresh clone's venv came without it. Exact pins also keep pip from
  # backtracking through versions of the instrumentations.
  { python3 -m venv .venv-blackbox && .venv-blackbox/bin/pip install -q flask==3.1.3 werkzeug==3.1.9 redis==8.2.0 \
      opentelemetry-api==1.45.1 opentelemetry-sdk==1.45.1 opentelemetry-exporter-otlp-proto-http==1.45.1 \
      opentelemetry-exporter-zipkin-json==1.45.1 opentelemetry-instrumentation-flask==0.66b1 \
      opentelemetry-instrumentation-redis==0.66b1 >/dev/null 2>&1; } \
    || echo "warning: the black-box pipeline could not be installed; black-box tests will be skipped" >&2
fi
