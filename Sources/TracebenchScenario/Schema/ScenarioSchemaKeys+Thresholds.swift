import TracebenchMetrics

/// The `thresholds` values, their option mapping, `gate`, and the root of a thresholds file.
extension ScenarioSchemaKeys {
    /// One condition: `"< 750ms"`, `">= 0.99"`, `"== 0"`, `"contains configured"` (any scalar, parsed in the metric's unit).
    static let thresholdCondition = ScenarioValueType.text(matching: ThresholdCondition.pattern)

    /// What a metric path under `thresholds` holds: a condition, a list of conditions (each a string or an option
    /// mapping), or an option mapping.
    static let thresholdValue = ScenarioValueType.anyOf([
        thresholdCondition,
        .list(of: .anyOf([thresholdCondition, .mapping(thresholdOptions)]), minItems: 1),
        .mapping(thresholdOptions),
    ])

    /// A duration for `delay_abort_eval` and `over`: `30s`, `1m`, `500ms`, or a bare number of seconds; above 0, at most 24 h.
    static let thresholdDuration = ScenarioValueType.anyOf([.string(nonEmpty: true), .number(.positive(atMost: 86_400))])

    /// A threshold written as a mapping (k6's options).
    static let thresholdOptions = ScenarioSection(id: "threshold_options", [
        ScenarioKey("threshold", thresholdCondition, required: true,
                    "The condition, e.g. \"< 2s\", \">= 0.99\", \"== 0\" or \"contains configured\", in the metric's unit."),
        ScenarioKey("abort_on_fail", .boolean, default: .boolean(false),
                    "Stop the run as soon as this threshold fails (evaluated during the run on what is known live)."),
        ScenarioKey("delay_abort_eval", thresholdDuration, default: .number(0),
                    "With abort_on_fail: how far into the load the threshold is first evaluated; a duration such as 10s, 1m or 500ms, "
                        + "or a bare number of seconds (above 0, at most 24 h)."),
        ScenarioKey("over", thresholdDuration,
                    "Judge the metric on every sliding window of this length (e.g. 30s) instead of over the whole run; latency and "
                        + "throughput metrics only."),
    ])

    static let gate = ScenarioSection([
        ScenarioKey("alpha", .number(SchemaRange(minimum: 0, maximum: 0.5, exclusiveMinimum: true, exclusiveMaximum: true)),
                    default: .number(0.05),
                    "The family-wise false-alarm rate the thresholds are judged at (Holm); greater than 0 and below 0.5."),
    ])

    /// The root of a thresholds file for `tracebench gate --thresholds` (``ScenarioLoader/loadThresholds(path:)``): not a
    /// scenario, so not reachable from ``root``.
    static let thresholdsFile = ScenarioSection([
        ScenarioKey("thresholds", .dictionary(of: thresholdValue, keyPattern: MetricCatalog.pathPattern), required: true,
                    "Metric path (checked against the metric catalog) → a condition such as \"< 750ms\", a list of conditions, or "
                        + "{threshold, abort_on_fail, delay_abort_eval, over}."),
        ScenarioKey("gate", .mapping(gate), "How the thresholds are judged."),
    ])
}
