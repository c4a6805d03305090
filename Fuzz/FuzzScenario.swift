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
