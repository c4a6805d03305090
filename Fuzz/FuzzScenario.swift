// libFuzzer target `scenario`: ScenarioLoader.parse(yaml:file:) on arbitrary UTF-8 text. Built by scripts/fuzz.sh
// into module TracebenchScenario with all of its sources; its imports (Yams, TracebenchMetrics, and a pure-Swift
// subset of TracebenchMeasure and TracebenchRedis) are compiled as separate static modules first.
//
// Input that is not valid UTF-8 is skipped: the loader only ever receives a `String` (a file that is not UTF-8 is
// refused before parsing).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let yaml = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    do {
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "fuzz.yaml")
        _ = scenario.redacted
    } catch {
        _ = error.description  // the message the CLI prints (problem list, credentials masked)
    }
    return 0
}

/// One-time set-up before the first input: the key registry (``ScenarioSchemaKeys``, built lazily on first use, with
/// its nested step sections) and the parser's key lists are made here, so the first input's allocations are only its
/// own (libFuzzer's leak check compares each input's allocations with its frees).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    _ = ScenarioSchema.root.names
    _ = try? ScenarioLoader.parse(yaml: "duration_s: 1\nload: {rate_per_s: 1}\njobs: [{service: s, steps: [{name: a}]}]\n", file: "init.yaml")
    return 0
}
