import Foundation
import TracebenchMetrics

/// The placeholders of a target's templates, checked where they are written: each must be one the template may use
/// (``Placeholders``), a job type's own (`jobs[].fields`) in every job type, and a JSON body must stay JSON once filled in.
extension ScenarioParser {
    /// Reports placeholders in `text` (the value of `field`) that are not defined there. `perJob`: a `target.submit`
    /// template, filled per job (job placeholders and every job type's fields allowed); else filled once per run.
    func checkPlaceholders(_ text: String, at field: YAMLField?, perJob: Bool, only: [String]? = nil) {
        guard let field else { return }
        let allowed = only ?? Placeholders.system + (perJob ? Placeholders.job : [])
        for name in Set(Placeholders.names(in: text)).sorted() where !allowed.contains(name) {
            let lacking = perJob ? jobTypes.indices.filter { jobTypes[$0].fields[name] == nil } : []
            if perJob, !jobTypes.isEmpty, lacking.isEmpty { continue }
            if perJob, !lacking.isEmpty, lacking.count < jobTypes.count {
                let types = lacking.prefix(3).map { "jobs[\($0)] (service \(jobTypes[$0].service))" }.joined(separator: ", ")
                reader.report("uses {\(name)}, which \(types)\(lacking.count > 3 ? " and \(lacking.count - 3) more" : "") do not define in fields", at: field)
                continue
            }
            let known = allowed + (perJob ? Set(jobTypes.flatMap(\.fields.keys)).sorted() : [])
            var message = "unknown placeholder {\(name)}; here it can be one of: " + known.map { "{\($0)}" }.joined(separator: ", ")
            if perJob { message += ", or a field every job type defines (jobs[].fields)" }
            if let suggestion = KeySuggestion.closest(to: name, among: known) { message += " (did you mean {\(suggestion)}?)" }
            reader.report(message, at: field)
        }
    }

    /// With a JSON content type: the body, filled in for each job type with stand-in values, must parse as JSON.
    func checkJSONBody(_ submit: TargetSpec.Submit, at field: YAMLField?) {
        guard let field, !submit.body.isEmpty,
              submit.headers.contains(where: { $0.key.lowercased() == "content-type" && $0.value.lowercased().contains("json") }) else { return }
        for (index, job) in jobTypes.enumerated() {
            var values = Dictionary(uniqueKeysWithValues: Placeholders.system.map { ($0, "0") })
            values.merge(["job_id": "run-0", "service": job.service, "priority": String(job.priorityMin), "index": "0"]) { $1 }
            values.merge(job.fields) { $1 }
            let body = Placeholders.fill(submit.body, values)
            if (try? JSONSerialization.jsonObject(with: Data(body.utf8), options: .fragmentsAllowed)) == nil {
                reader.report("is not valid JSON once filled in for jobs[\(index)] (service \(job.service)), and Content-Type says JSON: "
                              + "\(body.prefix(120))", at: field)
                return
            }
        }
    }
}
