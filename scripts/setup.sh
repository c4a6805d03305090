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
