import Foundation
import TracebenchResults

extension RunFigureRows {
    /// A multi-host run's agents: the start's skew, then one line per host with its share, its counts and its clock.
    static func agentRows(_ agents: AgentFigures) -> [FigureRow] {
        let skew = agents.startSkewMicros.map { String(format: "start off by at most %.3f ms", Double($0) / 1000) } ?? "start skew \(notMeasured)"
        var rows = [FigureRow("agents", "\(agents.agents.count) hosts, \(skew) (tolerance \(displayNumber(agents.startToleranceMillis)) ms)")]
        for agent in agents.agents {
            let first = agent.firstArrivalLateMicros.map { String(format: "first arrival %.3f ms late", Double($0) / 1000) } ?? "no arrival dispatched"
            var line = "\(agent.name) (\(agent.hostname), \(agent.cores) cores) share \(agent.share) ×\(agent.weight): planned \(agent.planned), "
                + "sent \(agent.sent), accepted \(agent.accepted), errors \(agent.errors), dropped \(agent.dropped); clock offset "
                + "\(agent.clockOffsetMicros) ± \(agent.clockUncertaintyMicros) µs, \(first)"
            if agent.lost { line += "; LOST after \(agent.intervalsReported) intervals: \(agent.notOffered) not offered, \(agent.unknownOutcome) outcomes unknown" }
            rows.append(FigureRow("agents", line, continues: true))
        }
        return rows
    }

    /// `value` without a trailing ".0".
    private static func displayNumber(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
