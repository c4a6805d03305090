// Compiled into the fuzzers' TracebenchMeasure module (scripts/fuzz.sh builds only Redaction.swift and
// SeededGenerator.swift of it). Redaction.swift calls Foundation's `String.range(of:)` without importing Foundation:
// in the package it compiles because HdrV2Codec.swift, in the same module, imports it (pre-MemberImportVisibility
// Swift makes one file's imports visible to the whole module). This file stands in for that import.
import Foundation
