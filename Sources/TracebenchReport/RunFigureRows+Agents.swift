import Foundation
import TracebenchResults

extension RunFigureRows {
    /// A multi-host run's agents: the start's skew, then one line per host with its share, its counts and its clock.
    static func agentRows(_ agents: AgentFigures) -> [FigureRow] {
        let skew = agents.startSkewMicros.map { String(format: "start off by at most %.3f ms", Double($0) / 1000) } ?? "start skew \(notMeasured)"
        let offersLoad = agents.agents.contains { $0.planned > 0 }
        var rows = [FigureRow("agents", "\(agents.agents.count) hosts" + (offersLoad ? ", \(skew) (tolerance \(displayNumber(agents.startToleranceMillis)) ms)" : ""))]
        for agent in agents.agents {
            let first = agent.firstArrivalLateMicros.map { String(format: "first arrival %.3f ms late", Double($0) / 1000) } ?? "no arrival dispatched"
            let host = "\(agent.name) (\(agent.hostname), \(agent.cores) cores)"
            if agent.workers > 0 || agent.planned == 0 {
                let workerCost = agent.workersCPUSeconds.map { cpu in
                    String(format: " (%.2f CPU-s, peak RSS %.0f MB)", cpu, Double(agent.workersPeakRSSBytes ?? 0) / 1_048_576)
                } ?? ""
                let collector = agent.collectorCPUSeconds.map { cpu in
                    String(format: "; its collector %.2f CPU-s, peak RSS %.0f MB", cpu, Double(agent.collectorPeakRSSBytes ?? 0) / 1_048_576)
                } ?? ""
                rows.append(FigureRow("agents", "\(host): \(agent.workers) workers claiming from the pipeline's queue\(workerCost)\(collector)"
                                      + (agent.lost ? "; LOST" : ""), continues: true))
                continue
            }
            var line = "\(host) share \(agent.share) ×\(agent.weight): planned \(agent.planned), "
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
