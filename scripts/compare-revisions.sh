#!/usr/bin/env bash
# Regression comparison between two revisions of this repository, on this machine:
#   scripts/compare-revisions.sh REV_A REV_B SCENARIO [N]
# Builds both revisions (git worktrees under .build-revisions/, each with its own scratch path; CONFIGURATION=release
# for release builds), runs SCENARIO with each N times (default 3), interleaved A B B A A B … so that drift hits both
# alike, then compares REV_A's runs (base) with REV_B's (candidate) with REV_B's `tracebench compare`: with N ≥ 2 the
# run is the unit of replication. Results and the comparison (JSON, Markdown) go to .build-revisions/results/.
# Extra compare options: COMPARE_ARGS="--fail-on-regression --noise-floor 2".
set -euo pipefail
if [ $# -lt 3 ]; then echo "usage: $0 REV_A REV_B SCENARIO [N]" >&2; exit 2; fi
rev_a=$1; rev_b=$2; scenario=$3; runs=${4:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${COMPARE_WORK:-$root/.build-revisions}
configuration=${CONFIGURATION:-debug}
mkdir -p "$work/results"
# The same scenario bytes for both sides, so their results carry the same scenario hash.
cp "$scenario" "$work/scenario.yaml"

build() {  # build LABEL REV → prints the binary path
  local label=$1 rev=$2 tree=$work/$1
  if [ -d "$tree" ]; then git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"; fi
  git -C "$root" worktree add --detach "$tree" "$rev" >/dev/null
  echo "building $label = $(git -C "$tree" rev-parse --short=12 HEAD) ($configuration)" >&2
  (cd "$tree" && swift build -c "$configuration" --product tracebench --scratch-path "$tree/.build" >&2)
  echo "$tree/.build/$configuration/tracebench"
}
binary_a=$(build a "$rev_a")
binary_b=$(build b "$rev_b")

base=(); candidate=()
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then order="a b"; else order="b a"; fi
  for side in $order; do
    binary=$binary_a; [ "$side" = b ] && binary=$binary_b
    out="$work/results/$side-$i.json"
    echo "run $i: $side" >&2
    # Each revision runs from its own tree (so the results record its git revision); a failed run is still compared.
    (cd "$work/$side" && "$binary" run "$work/scenario.yaml" --quiet --out "$out" >/dev/null) || echo "run $i ($side) exited $?" >&2
    if [ "$side" = a ]; then base+=("$out"); else candidate+=("$out"); fi
  done
done
# shellcheck disable=SC2086
"$binary_b" compare ${COMPARE_ARGS:-} --json "$work/results/comparison.json" --markdown "$work/results/comparison.md" \
  "${base[@]}" -- "${candidate[@]}"
