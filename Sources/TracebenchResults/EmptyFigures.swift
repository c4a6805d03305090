/// Empty figures are failures, not passes: a run that offered nothing, or whose spans all vanished, has nothing to
/// judge, whatever its thresholds say. One rule, applied to every run before its status is derived.
public enum EmptyFigures {
    /// The problems of `r`'s empty figures (`no_load_offered`, `nothing_received`); none when its figures are not empty.
    public static func problems(in r: RunResults) -> [Problem] {
        var found: [Problem] = []
        if let firehose = r.firehose {
            if firehose.spansSent == 0 {
                found.append(Problem(.noLoadOffered, "the firehose sent no span (\(firehose.requestsFailed) requests failed, \(firehose.batchesDropped) batches dropped): every figure is empty"))
            } else if r.sink.requests > 0 || r.collector?.measured == true, r.spans.received == 0 {
                found.append(Problem(.nothingReceived, "the firehose sent \(firehose.spansSent) spans and none reached the sink"))
            }
            return found
        }
        if r.jobs.submitted == 0 {
            found.append(Problem(.noLoadOffered, "the API accepted no job (\(r.jobs.submitErrors) submissions failed, \(r.jobs.droppedArrivals) arrivals dropped): every figure is empty"))
            return found
        }
        let measuredAtSink = !r.problems.contains { $0.kind == .traceFiguresNotMeasured }
        if measuredAtSink, r.spans.exported > 0, r.spans.received == 0 {
            found.append(Problem(.nothingReceived, "\(r.spans.exported) spans were exported and none reached the sink: the trace figures are empty"))
        } else if measuredAtSink, r.traces.expected > 0, r.traces.received == 0 {
            let late = (r.spans.late ?? 0) > 0 ? " within visibility_deadline_s (\(r.spans.late ?? 0) spans came later)" : ""
            found.append(Problem(.nothingReceived, "\(r.traces.expected) sampled traces were expected and none arrived\(late)"))
        }
        return found
    }
}
