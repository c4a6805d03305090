#!/usr/bin/env bash
# Fuzzing: builds the libFuzzer targets in Fuzz/ and runs each for SECONDS seconds on a copy of its seed corpus.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     TARGET: otlp-protobuf otlp-json gzip scenario (default: all four)
#   scripts/fuzz.sh 0                       build only
#
# For each target it prints the executions, exec/s and whether it crashed; it exits 1 if any target crashed (the
# input is kept in .build-fuzz/artifacts/TARGET/ and its path printed; replay it with
# `.build-fuzz/asan/bin/fuzz-TARGET FILE`), 2 on bad usage. New inputs found go to a scratch copy, never to Fuzz/corpus.
# Environment: FUZZ_ARGS="..." extra libFuzzer flags (e.g. -runs=10000000 to stop after 10 M executions);
# FUZZ_SANITIZE=fuzzer builds and runs without AddressSanitizer (default fuzzer,address; about 2x faster).
#
# How it builds (no SwiftPM, so the owner's .build/ is never touched; everything goes to .build-fuzz/FLAVOUR/):
# each target is a plain `swiftc` build of a chosen subset of the package's sources, with the Fuzz/*.swift file
# compiled *into* the module it tests (TracebenchSink or TracebenchScenario, via -module-name), so the sources compile
# unchanged and their `import` lines resolve as in the package:
#   - otlp-protobuf, otlp-json, gzip: only TracebenchSink's decoder files (+ the protobuf encoder, for a round-trip
#     check) or Gzip.swift, linked with TracebenchVocabulary and the small TracebenchMeasure below; nothing else but
#     CZlib (-I Sources/CZlib, -lz). The Hummingbird/gRPC files of TracebenchSink are not compiled.
#   - scenario: all of TracebenchScenario, its imports built first as separate static modules of the same names:
#     CYaml (clang) + Yams (its own Swift 5 mode, -DSWIFT_PACKAGE) from .build/checkouts/Yams (read only; it exists
#     once the package has been resolved), TracebenchMetrics and TracebenchInput (all files), TracebenchMeasure (only Redaction and
#     SeededGenerator and ConsistentThreshold, the pure-Swift files the scenario and decoder code use, plus
#     Fuzz/Support/MeasureFoundation.swift: see there; the decoder targets link it too) and TracebenchRedis (RedisURL, RedisURLParser, RedisReply for RedisError; not the hiredis client).
# Everything, libyaml's C too, is built -O with libFuzzer coverage instrumentation and AddressSanitizer; the Swift
# with the package's settings (-swift-version 6 -enable-upcoming-feature ExistentialAny). Fuzz/dict/TARGET.dict is
# passed as a libFuzzer dictionary when present. A build step is skipped when the hash of its inputs, command line
# and compiler version is unchanged. Every compile and run is `nice -n 19`.
set -euo pipefail

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -ge 1 && $1 =~ ^[0-9]+$ ]] || usage
SECONDS_PER_TARGET=$1
shift
ALL_TARGETS=(otlp-protobuf otlp-json gzip scenario)
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL_TARGETS[@]}")
for target in "${TARGETS[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $target "* ]] || { echo "unknown target '$target'" >&2; usage; }
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
YAMS=$ROOT/.build/checkouts/Yams
SANITIZE=${FUZZ_SANITIZE:-fuzzer,address}
case $SANITIZE in
    fuzzer) CLANG_SANITIZE=fuzzer-no-link; FLAVOR=fuzzer ;;
    fuzzer,address) CLANG_SANITIZE=fuzzer-no-link,address; FLAVOR=asan ;;
    *) echo "FUZZ_SANITIZE must be 'fuzzer' or 'fuzzer,address'" >&2; exit 2 ;;
esac
# Build products per flavour (.build-fuzz/asan, .build-fuzz/fuzzer), so switching does not rebuild everything;
# crash inputs and run logs are shared.
FUZZ=$ROOT/.build-fuzz
OUT=$FUZZ/$FLAVOR
mkdir -p "$OUT/modules" "$OUT/lib" "$OUT/obj/CYaml" "$OUT/bin" "$OUT/stamps" "$FUZZ/artifacts" "$FUZZ/runs"
# lld: the system gold linker prints a warning for every ASan helper symbol.
COMMON=(-O -sanitize="$SANITIZE" -use-ld=lld -module-cache-path "$FUZZ/module-cache" -I "$OUT/modules")
PACKAGE_SWIFT=(-swift-version 6 -enable-upcoming-feature ExistentialAny)
YAML_C=(-Xcc -I"$YAMS/Sources/CYaml/include" -Xcc -DYAML_DECLARE_STATIC)
TOOLCHAIN=$(swiftc --version 2>&1 | head -1)

# step NAME OUTPUT -- COMMAND... ; inputs are listed in the global array INPUTS. Runs COMMAND (niced) unless OUTPUT
# exists and the hash of the inputs' contents, the command line and the compiler matches the last successful build.
step() {
    local name=$1 output=$2
    shift 3
    local hash
    hash=$( { printf '%s\n' "$TOOLCHAIN" "$*"; cat -- "${INPUTS[@]}"; } | sha256sum | cut -d' ' -f1)
    if [[ -e $output && -f $OUT/stamps/$name && $(<"$OUT/stamps/$name") == "$hash" ]]; then
        return
    fi
    echo "fuzz: building $name" >&2
    rm -f "$OUT/stamps/$name"
    nice -n 19 "$@"
    echo "$hash" >"$OUT/stamps/$name"
}

# swift_library MODULE SOURCES... : a static library lib/libMODULE.a and modules/MODULE.swiftmodule.
swift_library() {
    local module=$1 mode=$2
    shift 2
    INPUTS=("$@")
    local flags=("${PACKAGE_SWIFT[@]}")
    [[ $mode == swift5 ]] && flags=(-swift-version 5 -DSWIFT_PACKAGE "${YAML_C[@]}")
    step "$module" "$OUT/lib/lib$module.a" -- \
        swiftc -module-name "$module" -parse-as-library -emit-library -static -emit-module \
        -emit-module-path "$OUT/modules/$module.swiftmodule" "${flags[@]}" "${COMMON[@]}" \
        -o "$OUT/lib/lib$module.a" "$@"
}

build_yams() {
    [[ -d $YAMS/Sources/CYaml ]] || { echo "fuzz: $YAMS is missing (resolve the package once)" >&2; exit 1; }
    local c objects=()
    for c in "$YAMS"/Sources/CYaml/src/*.c; do
        local object=$OUT/obj/CYaml/$(basename "$c" .c).o
        INPUTS=("$c" "$YAMS"/Sources/CYaml/src/yaml_private.h "$YAMS"/Sources/CYaml/include/yaml.h)
        step "CYaml-$(basename "$c" .c)" "$object" -- \
            clang -O2 -g -fsanitize="$CLANG_SANITIZE" -DYAML_DECLARE_STATIC -I"$YAMS/Sources/CYaml/include" \
            -w -c "$c" -o "$object"
        objects+=("$object")
    done
    INPUTS=("${objects[@]}")
    step CYaml "$OUT/lib/libCYaml.a" -- bash -c 'rm -f "$0" && ar rcs "$0" "$@"' "$OUT/lib/libCYaml.a" "${objects[@]}"
    swift_library Yams swift5 "$YAMS"/Sources/Yams/*.swift
}

# fuzzer TARGET MODULE LINK-FLAGS... -- SOURCES... : bin/fuzz-TARGET from Fuzz/ file + sources, as module MODULE.
fuzzer() {
    local target=$1 module=$2
    shift 2
    local link=()
    while [[ $1 != -- ]]; do link+=("$1"); shift; done
    shift
    INPUTS=("$@")
    local lib
    for lib in "${link[@]}"; do [[ $lib == *.a ]] && INPUTS+=("$lib"); done
    step "fuzz-$target" "$OUT/bin/fuzz-$target" -- \
        swiftc -module-name "$module" -parse-as-library "${PACKAGE_SWIFT[@]}" "${COMMON[@]}" "${YAML_C[@]}" \
        -I Sources/CZlib -o "$OUT/bin/fuzz-$target" "$@" "${link[@]}"
}

SINK=Sources/TracebenchSink
DECODER=("$SINK/OTLPDecoder.swift" "$SINK/OTLPProtobufDecoder.swift" "$SINK/OTLPJSONDecoder.swift" "$SINK/ReceivedSpan.swift")

# The pure-Swift files of TracebenchMeasure that the fuzzed code uses (the decoders read `ot=th` thresholds).
build_measure() {
    swift_library TracebenchMeasure swift6 Sources/TracebenchMeasure/{Redaction,SeededGenerator,ConsistentThreshold}.swift \
        Fuzz/Support/MeasureFoundation.swift
}
MEASURE_LIB=$OUT/lib/libTracebenchMeasure.a
# The pipeline's shared words (the decoders read the job.id attribute key from it).
build_vocabulary() { swift_library TracebenchVocabulary swift6 Sources/TracebenchVocabulary/*.swift; }
VOCABULARY_LIB=$OUT/lib/libTracebenchVocabulary.a

build() {
    case $1 in
        otlp-protobuf) build_measure; build_vocabulary
            fuzzer otlp-protobuf TracebenchSink "$MEASURE_LIB" "$VOCABULARY_LIB" -- Fuzz/FuzzOTLPProtobuf.swift \
                "${DECODER[@]}" "$SINK/OTLPProtobufEncoder.swift" ;;
        otlp-json) build_measure; build_vocabulary
            fuzzer otlp-json TracebenchSink "$MEASURE_LIB" "$VOCABULARY_LIB" -- Fuzz/FuzzOTLPJSON.swift "${DECODER[@]}" ;;
        gzip) fuzzer gzip TracebenchSink -lz -- Fuzz/FuzzGzip.swift "$SINK/Gzip.swift" ;;
        scenario)
            build_yams
            swift_library TracebenchMetrics swift6 Sources/TracebenchMetrics/*.swift
            swift_library TracebenchInput swift6 Sources/TracebenchInput/*.swift
            build_measure
            swift_library TracebenchRedis swift6 Sources/TracebenchRedis/{RedisURL,RedisURLParser,RedisReply}.swift
            fuzzer scenario TracebenchScenario "$OUT"/lib/lib{TracebenchMetrics,TracebenchInput,TracebenchMeasure,TracebenchRedis,Yams,CYaml}.a -- \
                Fuzz/FuzzScenario.swift Sources/TracebenchScenario/*.swift Sources/TracebenchScenario/Schema/*.swift ;;
    esac
}

for target in "${TARGETS[@]}"; do build "$target"; done
[[ $SECONDS_PER_TARGET -gt 0 ]] || { echo "fuzz: built ${TARGETS[*]} in $OUT/bin"; exit 0; }

# Run each target on a scratch copy of its corpus (new inputs it finds stay out of the committed seeds).
read -r -a EXTRA <<<"${FUZZ_ARGS:-}"
failed=()
for target in "${TARGETS[@]}"; do
    run=$(mktemp -d "$FUZZ/runs/$target.XXXXXX")
    mkdir -p "$run/corpus" "$FUZZ/artifacts/$target"
    cp -R Fuzz/corpus/"$target"/. "$run/corpus/"
    dict=()
    [[ -f Fuzz/dict/$target.dict ]] && dict=(-dict="Fuzz/dict/$target.dict")
    echo "fuzz: $target for ${SECONDS_PER_TARGET}s (log: $run/log)"
    status=0
    LSAN_OPTIONS="suppressions=$ROOT/Fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
    nice -n 19 "$OUT/bin/fuzz-$target" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$FUZZ/artifacts/$target/" "${dict[@]}" "${EXTRA[@]}" \
        "$run/corpus" >"$run/log" 2>&1 || status=$?
    final_stat() { sed -n "s/^stat::$1: *//p" "$run/log" | tail -1; }
    execs=$(final_stat number_of_executed_units)
    secs=$(final_stat average_exec_per_sec)
    elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$run/log" | tail -1)
    corpus=$(find "$run/corpus" -type f | wc -l)
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$run/log" | tail -1)
    if [[ $status -ne 0 || -n $crash ]]; then
        echo "fuzz: $target CRASHED (exit $status) after ${execs:-?} executions; input: ${crash:-none written}"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*Fatal error:|.*precondition)' "$run/log" | head -5 || true
        echo "      full log: $run/log"
        failed+=("$target")
    else
        echo "fuzz: $target ok: ${execs:-?} executions in ${elapsed:-?}s (${secs:-?} exec/s), corpus now $corpus files, 0 crashes"
        rm -rf "$run"
    fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: crashed: ${failed[*]}"
    exit 1
fi
