import TracebenchRedis

/// The `agents` section: several hosts offering one schedule through a control Redis.
extension ScenarioParser {
    func agentsSection(_ map: YAMLMapping, target: TargetSpec?) -> AgentsSpec? {
        guard let field = map["agents"], !field.isNull, let section = reader.mapping(field, known: ScenarioSchemaKeys.agents.names) else { return nil }
        let count = reader.integer(section, "count", default: nil, .between(1, 256))
        let control = reader.value(section, "control", default: nil) { field -> String? in
            guard let text = reader.string(field, allowEmpty: false) else { return nil }
            do throws(RedisError) {
                _ = try RedisURL(parsing: text)
                return text
            } catch {
                if case .badURL(let reason) = error { reader.report(reason, at: field) }
                return nil
            }
        }
        let weights = section["weights"].flatMap { field -> [Int]? in
            guard let elements = reader.sequence(field) else { return nil }
            let values = elements.compactMap { reader.integer($0, .between(1, 1_000_000)) }
            guard values.count == elements.count else { return nil }
            if let count, values.count != count {
                reader.report("needs one weight per agent (count: \(count)), got \(values.count)", atHeadOf: field)
                return nil
            }
            return values
        }
        let roles = section["roles"].flatMap { field -> [AgentsSpec.Role]? in
            guard let elements = reader.sequence(field) else { return nil }
            let roles: [AgentsSpec.Role] = elements.compactMap { reader.choice($0, what: "agent role") }
            return roles.count == elements.count ? roles : nil
        } ?? [.load]
        let armTimeout = reader.number(section, "arm_timeout_s", default: 30, .between(1, 3600))
        let interval = reader.number(section, "interval_s", default: 1, .between(0.1, 60))
        let tolerance = reader.number(section, "start_tolerance_ms", default: 50, .between(0.1, 60_000))
        let workers = reader.integer(section, "workers", default: 2, .between(1, 64))
        if Set(roles).count != roles.count || !(roles == [.load] || Set(roles) == [.workers] || Set(roles) == [.workers, .collector]),
           let field = section["roles"] {
            reader.report("roles are [load] (a target's arrivals), [workers] (the built-in pipeline's workers) or [workers, collector] "
                          + "(each host's workers export to its own collector)", atHeadOf: field)
        }
        if roles.contains(.collector), map["collector"]?.node.mapping?["launch"] == nil, let field = section["roles"] {
            reader.report("the collector role launches collector.launch on every agent host: the scenario needs one", atHeadOf: field)
        }
        if roles.contains(.workers) {
            checkWorkersApply(map, field: field)
        } else {
            checkAgentsApply(map, field: field, target: target)
        }
        guard let count, let control, let armTimeout, let interval, let tolerance, let workers else { return nil }
        var spec = AgentsSpec(count: count, control: control, weights: weights)
        spec.roles = roles
        spec.armTimeoutSeconds = armTimeout
        spec.intervalSeconds = interval
        spec.startToleranceMillis = tolerance
        spec.workers = workers
        return spec
    }

    /// Workers on agent hosts are the built-in pipeline's: not a target's, and not an overhead run's (its arms relaunch
    /// the pipeline per block on this host).
    private func checkWorkersApply(_ map: YAMLMapping, field: YAMLField) {
        if let target = map["target"] {
            reader.report("agents with roles [workers] run the built-in pipeline's workers; a target's workers are its own", atHeadOf: target)
        }
        if let overhead = map["overhead"], !overhead.isNull {
            reader.report("overhead arms relaunch the pipeline on this host: not with agents", atHeadOf: overhead)
        }
    }

    /// Agents offer a target's requests and report which were accepted, by index: a target whose jobs are judged needs
    /// nothing more than their ids (the ledger's own trace id). Correlation read from each response, or traces tracebench
    /// starts itself, would have to travel back from every host: refused, said where.
    private func checkAgentsApply(_ map: YAMLMapping, field: YAMLField, target: TargetSpec?) {
        guard let target else {
            if map["target"] == nil {
                reader.report("agents with roles [load] offer a target's requests (target.submit); for the built-in pipeline, agents run "
                              + "its workers (roles: [workers])", atHeadOf: field)
            }
            return
        }
        let targetField = map["target"]
        switch target.correlate?.traceID {
        case .responseHeader, .responseBody, .injected:
            reader.report("agents report accepted jobs by index, not each response: correlate.trace_id must come from the ledger "
                          + "(or drop correlate, ledger and expect for load only)", path: (targetField?.path ?? "target") + ".correlate.trace_id",
                          mark: targetField?.mark ?? field.mark)
        case .ledger, nil: break
        }
        if target.submit.traceparent == .inject {
            reader.report("agents do not start traces (traceparent: inject): the client spans would stay on their hosts",
                          path: (targetField?.path ?? "target") + ".submit.traceparent", mark: targetField?.mark ?? field.mark)
        }
        if let overhead = map["overhead"], !overhead.isNull {
            reader.report("overhead arms relaunch the target on this host: not with agents", atHeadOf: overhead)
        }
    }
}
