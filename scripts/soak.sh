#!/usr/bin/env bash
# A soak a developer can run: scenarios/soak.yaml shortened to $1 seconds (600 by default), release build, then
# each process's RSS at the run's second tenth and last tenth and their ratio (tracebench's own memory must stay
# flat for the figures of a long run to mean anything). The results file is results/soak-short.json.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
scripts/setup.sh >/dev/null
swift build -c release --product tracebench >/dev/null 2>&1
mkdir -p results
scenario="$(mktemp --suffix=.yaml)"
trap 'rm -f "$scenario"' EXIT
sed -e "s/^duration_s: .*/duration_s: ${seconds}/" -e "s/^name: soak/name: soak-short/" scenarios/soak.yaml > "$scenario"
set +e
.build/release/tracebench run "$scenario" --quiet --out results/soak-short.json
status=$?
set -e
python3 - results/soak-short.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"status {r['status']}; jobs {r['jobs']['submitted']}; traces complete {r['traces']['complete']}/{r['traces']['expected']}; "
      f"spans received {r['spans']['received']}, late {r['spans'].get('late')}")
print(f"{'process':<12} {'second tenth MiB':>17} {'last tenth MiB':>15} {'growth':>7}  peak MiB")
for name, usage in sorted(r['resources'].items()):
    points = [p['rss_bytes'] for p in usage.get('rss_timeline', [])]
    n = len(points)
    if n < 20:
        print(f"{name:<12} not measured ({n} samples)")
        continue
    early = sorted(points[n // 10 : n // 5])[len(points[n // 10 : n // 5]) // 2]
    late = sorted(points[n - n // 10 :])[len(points[n - n // 10 :]) // 2]
    print(f"{name:<12} {early / 2**20:17.1f} {late / 2**20:15.1f} {late / early:7.3f}  {usage['peak_rss_bytes'] / 2**20:.1f}")
PY
exit "$status"
