import TracebenchMeasure
import TracebenchResults
import TracebenchScenario

/// The coordinator's bookkeeping of a multi-host run, apart from Redis: each report checked and merged once
/// (``IntervalMerge``), turned into the arrivals it accepted, each agent's heartbeats and end, and at the end every
/// agent's figures — a lost one's share split exactly into what it reported, what it dispatched with no outcome
/// reported, and what it never offered.
struct FleetFollower {
    let spec: AgentRunSpec
    /// Every share's arrivals by interval, as the agents computed them.
    let shares: [ShareIntervals]
    private var merge = IntervalMerge()
    private var agents: [String: AgentFigures.Agent]
    private var lastReported: [String: Int] = [:]
    private var done: Set<String> = []
    private var lost: [String: String] = [:]
    private var lastBeat: [String: (lastInterval: Int, dispatched: Int)] = [:]
    private var refusals: [String] = []
    private var missedBeats: [String: Int] = [:]
    /// Roles [workers]: what went wrong with an agent's workers, as it said.
    private var failures: [String: String] = [:]

    init(spec: AgentRunSpec, schedule: ArrivalSchedule, armed: [String]) {
        self.spec = spec
        shares = spec.agents.weights.indices.map { spec.intervals(of: $0, in: schedule) }
        agents = Dictionary(uniqueKeysWithValues: armed.map { ($0, AgentFigures.Agent(name: $0)) })
        for name in armed { agents[name]?.share = -1 }
    }

    /// Armed agents neither done nor lost.
    var running: [String] { agents.keys.filter { !done.contains($0) && lost[$0] == nil }.sorted() }
    var allAccounted: Bool { running.isEmpty }

    /// One entry of the run's stream: an interval report (returned as what it accepted, to absorb) or an agent's end.
    mutating func take(_ fields: [String: String]) -> RemoteOutcome? {
        guard let name = fields["agent"], agents[name] != nil else { return nil }
        if fields["kind"] == "done" {
            done.insert(name)
            if let workers = fields["workers"].flatMap(Int.init) { agents[name]?.workers = workers }
            agents[name]?.workersCPUSeconds = fields["workers_cpu_s"].flatMap(Double.init)
            agents[name]?.workersPeakRSSBytes = fields["workers_peak_rss"].flatMap(UInt64.init)
            agents[name]?.collectorCPUSeconds = fields["collector_cpu_s"].flatMap(Double.init)
            agents[name]?.collectorPeakRSSBytes = fields["collector_peak_rss"].flatMap(UInt64.init)
            if let failure = fields["failure"], !failure.isEmpty { failures[name] = failure }
            return nil
        }
        guard let report = IntervalReport(fields: fields), shares.indices.contains(report.share), report.interval < shares[report.share].intervalCount else {
            refusals.append("an unreadable report from agent \(name)")
            return nil
        }
        do throws(IntervalMerge.Refusal) {
            try merge.add(report)
        } catch {
            if case .duplicate = error { return nil }  // a redelivered report, already counted
            refusals.append("agent \(name)'s interval \(report.interval): \(error)")
            return nil
        }
        let share = shares[report.share]
        var outcome = RemoteOutcome(errors: report.errors, lastError: report.lastError, dropped: report.dropped, lateStarts: report.late)
        outcome.accepted = ShareIntervals.acceptedIndices(bits: ShareIntervals.decode(bits: report.acceptedBits) ?? [], interval: report.interval,
                                                          share: share.share, bounds: share.bounds)
        outcome.submitLatency = (try? LatencyHistogram(encoded: report.latency)) ?? LatencyHistogram()
        if !report.lag.isEmpty { outcome.lag = (try? LatencyHistogram(encoded: report.lag)) ?? LatencyHistogram() }
        var agent = agents[name]!
        agent.share = report.share
        agent.sent += report.sent
        agent.accepted += report.accepted
        agent.errors += report.errors
        agent.dropped += report.dropped
        agent.intervalsReported += 1
        if report.firstLateMicros >= 0 { agent.firstArrivalLateMicros = report.firstLateMicros }
        agents[name] = agent
        lastReported[name] = max(lastReported[name] ?? -1, report.interval)
        return outcome
    }

    /// The hosts hash: name → "share hostname cores offset uncertainty".
    mutating func hosts(_ lines: [String: String]) {
        for (name, line) in lines where agents[name] != nil {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 5, let share = Int(parts[0]), let cores = Int(parts[2]), let offset = Int64(parts[3]), let uncertainty = Int64(parts[4]) else { continue }
            agents[name]?.share = share
            agents[name]?.hostname = parts[1]
            agents[name]?.cores = cores
            agents[name]?.clockOffsetMicros = offset
            agents[name]?.clockUncertaintyMicros = uncertainty
        }
    }

    /// An agent's heartbeat as read now (nil: expired): the last one read is what a loss is counted from. Missing at
    /// two looks in a row (a second apart, past its 3 s expiry) it is lost — once is a control Redis that just restarted.
    mutating func beat(_ agent: String, _ beat: (lastInterval: Int, dispatched: Int)?) {
        guard !done.contains(agent) else { return }
        if let beat {
            lastBeat[agent] = beat
            missedBeats[agent] = 0
        } else {
            missedBeats[agent, default: 0] += 1
            if missedBeats[agent, default: 0] >= 2 { lost[agent] = "its heartbeat expired" }
        }
    }

    /// Every agent still running is lost, for `reason`.
    mutating func giveUp(reason: String) {
        for agent in running { lost[agent] = reason }
    }

    /// Every agent's figures, the start's skew, and the problems: lost agents, missing intervals, refused reports, a
    /// start beyond the tolerance.
    func results() -> (figures: AgentFigures, problems: [Problem]) {
        var figures = AgentFigures()
        figures.intervalSeconds = spec.agents.intervalSeconds
        figures.startToleranceMillis = spec.agents.startToleranceMillis
        var problems: [Problem] = refusals.map { Problem(.componentFailed, "a multi-host report was refused: \($0)") }
        let claimed = Set(agents.values.map(\.share))
        var unclaimed = spec.agents.weights.indices.filter { !claimed.contains($0) }
        for name in agents.keys.sorted() {
            var agent = agents[name]!
            if agent.share < 0, !unclaimed.isEmpty { agent.share = unclaimed.removeFirst() }
            guard shares.indices.contains(agent.share) else { continue }
            agent.weight = spec.agents.weights[agent.share]
            if spec.runsWorkers {
                if let reason = lost[name] {
                    agent.lost = true
                    problems.append(Problem(.agentLost, "agent \(name) (share \(agent.share)) was lost (\(reason)): its workers' jobs and spans may be missing"))
                } else if let failure = failures[name] {
                    problems.append(Problem(.componentFailed, "agent \(name)'s workers: \(failure)"))
                }
                figures.agents.append(agent)
                continue
            }
            let share = shares[agent.share]
            agent.planned = share.share.count
            let last = lastReported[name] ?? -1
            if let reason = lost[name] {
                agent.lost = true
                let accounted = share.bounds[last + 1]
                let remainder = share.share.count - accounted
                agent.unknownOutcome = min(remainder, max(0, (lastBeat[name]?.dispatched ?? 0) - accounted))
                agent.notOffered = remainder - agent.unknownOutcome
                problems.append(Problem(.agentLost, "agent \(name) (share \(agent.share)) was lost after interval \(last) (\(reason)): \(agent.notOffered) "
                                        + "of its arrivals were not offered and \(agent.unknownOutcome) dispatched with no outcome reported"))
            } else if agent.intervalsReported < share.intervalCount {
                problems.append(Problem(.componentFailed, "agent \(name) (share \(agent.share)) reported \(agent.intervalsReported) of "
                                        + "\(share.intervalCount) intervals: the control Redis lost some"))
            }
            figures.agents.append(agent)
        }
        let starts = figures.agents.compactMap { agent in agent.firstArrivalLateMicros.map { $0 + agent.clockUncertaintyMicros } }
        figures.startSkewMicros = starts.max()
        if let skew = figures.startSkewMicros, Double(skew) > spec.agents.startToleranceMillis * 1000 {
            problems.append(Problem(.startSkew, "an agent's start was off by up to \(skew) µs (clock uncertainty plus first-arrival lateness), "
                                    + "beyond agents.start_tolerance_ms \(spec.agents.startToleranceMillis)"))
        }
        return (figures, problems)
    }
}
