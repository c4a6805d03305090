#!/usr/bin/env bash
# A multi-host run on one machine: network namespaces stand in for hosts. One namespace ("control") holds the control
# Redis and the target (Python's standard-library HTTP server); N more each run `tracebench agent`; the coordinator
# (`tracebench run`) stays in this namespace, reaching them over a bridge. Three runs of one scenario:
#   single.json   this host alone (no agents:)
#   agents.json   N agents, the second with its clock skewed +200 ms (a test-only option), to be measured back
#   workers-alone.json  the built-in pipeline with one worker, more work than it can do (the drain times out), and
#   workers.json  the built-in pipeline (its Redis in the control namespace, db 1; the sink on the bridge) with one
#                 worker of its own and two on each agent host, claiming from one queue: more work than one worker can do
#   sidecars.json as workers.json, every host's workers exporting to a rotel collector of that host (when rotel is
#                 installed), which exports to the sink: the design document's sidecar topology
#   delayed.json  N agents with DELAY_MS each way between every host and the control host (counts must not change): a
#                 delaying TCP proxy in the control namespace in front of the control Redis and the target (this
#                 machine's kernel has no netem qdisc; `tc netem` is used instead where it exists)
# Everything it creates (namespaces, bridge, processes) is removed on exit, by name and pid.
#
# usage: scripts/agents-netns.sh TRACEBENCH OUTDIR [AGENTS=3] [RATE_PER_S=300] [SECONDS=6] [DELAY_MS=5]
set -euo pipefail
TB=$(realpath "$1"); OUT=$(realpath -m "$2"); N=${3:-3}; RATE=${4:-300}; SECS=${5:-6}; DELAY=${6:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
ID=$(( $$ % 200 + 20 ))
NET=10.213.$ID
BR=tbbr$ID
NAMESPACES=()
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  ip link del "$BR" 2>/dev/null || true
}
trap cleanup EXIT

ip link add "$BR" type bridge
ip addr add "$NET.254/24" dev "$BR"
ip link set "$BR" up
host() {  # host NAME LAST_OCTET
  local ns=tb$ID$1
  ip netns add "$ns"
  NAMESPACES+=("$ns")
  ip link add "v$ns" type veth peer name eth0 netns "$ns"
  ip link set "v$ns" master "$BR" up
  ip -n "$ns" addr add "$NET.$2/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
}
host c 1
for i in $(seq 1 "$N"); do host "a$i" $((10 + i)); done

ip netns exec "tb${ID}c" redis-server --bind "$NET.1" --port 6379 --save '' --appendonly no --protected-mode no >/dev/null &
PIDS+=($!)
ip netns exec "tb${ID}c" python3 -u "$ROOT/Tests/Support/http_endpoint.py" "$NET.1" > "$OUT/endpoint.port" &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$OUT/endpoint.port" ] && redis-cli -h "$NET.1" ping >/dev/null 2>&1 && break; sleep 0.1; done
PORT=$(head -1 "$OUT/endpoint.port")
CONTROL="redis://$NET.1:6379"

scenario() {  # scenario AGENTS_LINE
  cat <<YAML
name: three-hosts
duration_s: $SECS
load: {arrival: poisson, rate_per_s: $RATE, max_in_flight: 2000}
jobs: [{service: api}]
target:
  submit:
    url: "http://$NET.1:$PORT/ok"
    headers: {Content-Type: application/json}
    body: '{"id": "{job_id}"}'
$1
YAML
}
scenario "" > "$OUT/single.yaml"
scenario "agents: {count: $N, control: \"$CONTROL\"}" > "$OUT/agents.yaml"

AGENTS=()
agents() {  # agents LOGPREFIX
  AGENTS=()
  for i in $(seq 1 "$N"); do
    local skew=()
    [ "$i" = 2 ] && skew=(--clock-skew-us 200000)
    # Each "host" gets its own host name too (a UTS namespace), as the results' agents list shows it.
    ip netns exec "tb${ID}a$i" unshare --uts sh -c 'hostname "$0" && exec "$@"' "agent-host-$i" \
      "$TB" agent --control "$CONTROL" --name "host$i" --once --idle-s 60 "${skew[@]}" 2> "$OUT/$1-agent$i.log" &
    PIDS+=($!)
    AGENTS+=($!)
  done
}

echo "== this host alone"
"$TB" run "$OUT/single.yaml" --out "$OUT/single.json" || true
echo "== $N agents"
agents agents
"$TB" run "$OUT/agents.yaml" --out "$OUT/agents.json" || true
wait "${AGENTS[@]}" 2>/dev/null || true
echo "== $N agents, ${DELAY} ms each way between every host and the control host"
wait "${AGENTS[@]}" 2>/dev/null || true
if ip netns exec "tb${ID}a1" tc qdisc add dev eth0 root netem delay "${DELAY}ms" 2>/dev/null; then
  for i in $(seq 2 "$N"); do ip netns exec "tb${ID}a$i" tc qdisc add dev eth0 root netem delay "${DELAY}ms"; done
  cp "$OUT/agents.yaml" "$OUT/delayed.yaml"
else
  proxy() {  # proxy UPSTREAM_PORT OUTFILE
    ip netns exec "tb${ID}c" python3 -u "$ROOT/Tests/Support/delay_proxy.py" "$NET.1" "$NET.1" "$1" "$DELAY" > "$2" &
    PIDS+=($!)
    for _ in $(seq 1 100); do [ -s "$2" ] && break; sleep 0.1; done
  }
  proxy 6379 "$OUT/control.proxy"
  proxy "$PORT" "$OUT/target.proxy"
  sed -e "s|$NET.1:6379|$NET.1:$(head -1 "$OUT/control.proxy")|" -e "s|$NET.1:$PORT/|$NET.1:$(head -1 "$OUT/target.proxy")/|" \
    "$OUT/agents.yaml" > "$OUT/delayed.yaml"
  CONTROL="redis://$NET.1:$(head -1 "$OUT/control.proxy")"
fi
agents delayed
"$TB" run "$OUT/delayed.yaml" --out "$OUT/delayed.json" || true
wait "${AGENTS[@]}" 2>/dev/null || true
echo "== the built-in pipeline, its workers on the $N agent hosts (and one of its own)"
CONTROL="redis://$NET.1:6379"
cat > "$OUT/workers.yaml" <<YAML
name: three-hosts-workers
duration_s: $SECS
drain_timeout_s: 5
load: {arrival: constant, rate_per_s: 20}
pipeline: {workers: 1, concurrency_per_worker: 1}
jobs: [{service: api, steps: [{name: work, duration_ms: 200}]}]
redis: {url: "redis://$NET.1:6379/1"}
sink: {listen: "$NET.254:0", token: tb-netns-token}
agents: {count: $N, control: "$CONTROL", roles: [workers], workers: 2}
YAML
# Each run its own database: a run that timed out leaves its jobs in the queue, and the next run's workers would claim them first.
grep -v '^agents:' "$OUT/workers.yaml" | sed -e 's/^name: three-hosts-workers/name: one-worker/' -e 's|:6379/1"|:6379/2"|' > "$OUT/workers-alone.yaml"
"$TB" run "$OUT/workers-alone.yaml" --out "$OUT/workers-alone.json" --quiet > /dev/null || true
agents workers
"$TB" run "$OUT/workers.yaml" --out "$OUT/workers.json" || true
wait "${AGENTS[@]}" 2>/dev/null || true
if python3 -c 'import rotel' 2>/dev/null; then
  echo "== the same, every host's workers exporting to a collector of its own (rotel) that exports to the sink"
  sed -e 's/^name: three-hosts-workers/name: three-hosts-sidecars/' -e 's/roles: \[workers\]/roles: [workers, collector]/' -e 's|:6379/1"|:6379/3"|' \
    "$OUT/workers.yaml" > "$OUT/sidecars.yaml"
  cat >> "$OUT/sidecars.yaml" <<'YAML'
collector:
  launch:
    command: ["{rotel_agent}", "start", "--otlp-http-endpoint", "127.0.0.1:{otlp_http_port}", "--otlp-grpc-endpoint", "127.0.0.1:{otlp_grpc_port}",
              "--exporter", "otlp", "--otlp-exporter-protocol", "http", "--otlp-exporter-endpoint", "{sink_url}",
              "--otlp-exporter-custom-headers", "Authorization=Bearer tb-netns-token", "--pid-file", "/tmp/tracebench-rotel-{otlp_http_port}.pid"]
YAML
  agents sidecars
  "$TB" run "$OUT/sidecars.yaml" --out "$OUT/sidecars.json" || true
  wait "${AGENTS[@]}" 2>/dev/null || true
fi
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
for name in ("single", "agents", "delayed", "workers-alone", "workers", "sidecars"):
    try:
        open(f"{out}/{name}.json")
    except OSError:
        continue
    r = json.load(open(f"{out}/{name}.json"))
    s, j = r["latency"]["submit"], r["jobs"]
    print(f"{name:8} status {r['status']:6} submitted {j['submitted']:5} errors {j['submit_errors']} dropped {j['dropped_arrivals']}  "
          f"submit p50 {s['p50']/1000:.2f} ms p99 {s['p99']/1000:.2f} ms (count {s['count']})")
    if name.startswith("workers") or name == "sidecars":
        q, c = r["latency"]["queue_wait"], r["traces"]["completeness"]
        print(f"         completed {j['completed']} pending {j['pending']}, queue wait p99 {q['p99']/1000:.1f} ms, trace completeness {c}")
    agents = r.get("load", {}).get("agents")
    if agents and name in ("workers", "sidecars"):
        for a in agents["hosts"]:
            cost = lambda cpu, rss: "not measured" if cpu is None else f"{cpu:.2f} CPU-s, peak RSS {rss / 1048576:.0f} MB"
            print(f"         {a['name']} ({a['hostname']}): {a['workers']} workers ({cost(a['workers_cpu_seconds'], a['workers_peak_rss_bytes'])}), "
                  f"collector {cost(a['collector_cpu_seconds'], a['collector_peak_rss_bytes'])}, lost {a['lost']}")
    elif agents:
        for a in agents["hosts"]:
            print(f"         {a['name']} share {a['share']}: planned {a['planned']} accepted {a['accepted']}, clock offset "
                  f"{a['clock_offset_us']} ± {a['clock_uncertainty_us']} µs, first arrival {a['first_arrival_late_us']} µs late")
        print(f"         start skew bound {agents['start_skew_us']} µs (tolerance {agents['start_tolerance_ms']} ms)")
PY
