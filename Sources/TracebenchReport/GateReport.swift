import Foundation
import TracebenchJudge
import TracebenchMetrics
import TracebenchResults

/// Reporters over a ``GateVerdict``: a table for the terminal, JUnit XML (one testcase per threshold and file),
/// Markdown for `$GITHUB_STEP_SUMMARY`, and a verdict JSON for wrappers that collapse exit codes.
public enum GateReport {
    /// `✓`, `✗`, `?` or `∅` for an outcome.
    public static func mark(_ outcome: ThresholdOutcomeKind) -> String {
        switch outcome {
        case .pass: "pass"
        case .fail: "FAIL"
        case .inconclusive: "inconclusive"
        case .notMeasured: "NOT MEASURED"
        }
    }

    public static func table(_ verdict: GateVerdict) -> String {
        var lines = ["gate: \(verdict.outcome.rawValue.uppercased()) — \(verdict.count(.pass)) pass, \(verdict.count(.fail)) fail, \(verdict.count(.inconclusive)) inconclusive, \(verdict.count(.notMeasured)) not measured; Holm over \(verdict.familySize) statistical thresholds at family α \(verdict.alpha)"]
        var lastFile: String?
        for outcome in verdict.thresholds {
            if outcome.resultsFile != lastFile, !outcome.resultsFile.isEmpty {
                lines.append(outcome.resultsFile)
                lastFile = outcome.resultsFile
            }
            lines.append("  " + mark(outcome.outcome).padding(toLength: 13, withPad: " ", startingAt: 0) + outcome.message)
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ verdict: GateVerdict) -> String {
        var lines = [
            "### tracebench gate: \(verdict.outcome.rawValue.uppercased())", "",
            "\(verdict.count(.pass)) pass, \(verdict.count(.fail)) fail, \(verdict.count(.inconclusive)) inconclusive, \(verdict.count(.notMeasured)) not measured. Holm's correction over \(verdict.familySize) statistical thresholds keeps the family's false-alarm rate ≤ \(verdict.alpha).", "",
            "| outcome | threshold | measured | interval | confidence | file |",
            "|---|---|---|---|---|---|",
        ]
        for o in verdict.thresholds {
            let value = o.estimate.map(o.unit.format) ?? "—"
            let interval = o.evidence == .exact || o.ciLow == nil ? "—" : "[\(o.unit.format(o.ciLow!)), \(o.unit.format(o.ciHigh!))]"
            let confidence = o.evidence == .exact ? "exact" : String(format: "%.2f %%", o.confidence * 100)
            lines.append("| \(mark(o.outcome)) | `\(o.spec.label)` | \(value) | \(interval) | \(confidence) | \(o.resultsFile.split(separator: "/").last.map(String.init) ?? "") |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// JUnit XML: one `<testsuite>` per results file, one `<testcase>` per threshold; a failed or unmeasured threshold
    /// is a `<failure>`, an inconclusive one is `<skipped>` (so strict CI can see it without failing on it).
    public static func junit(_ verdict: GateVerdict) -> String {
        let files = verdict.thresholds.reduce(into: [String]()) { if !$0.contains($1.resultsFile) { $0.append($1.resultsFile) } }
        var xml = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        xml.append("<testsuites name=\"tracebench gate\" tests=\"\(verdict.thresholds.count)\" failures=\"\(verdict.count(.fail) + verdict.count(.notMeasured))\" skipped=\"\(verdict.count(.inconclusive))\">")
        for file in files {
            let cases = verdict.thresholds.filter { $0.resultsFile == file }
            let failures = cases.count { $0.outcome == .fail || $0.outcome == .notMeasured }
            let skipped = cases.count { $0.outcome == .inconclusive }
            xml.append("  <testsuite name=\"\(escape(file.isEmpty ? "run" : file))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\">")
            for o in cases {
                xml.append("    <testcase classname=\"tracebench.thresholds\" name=\"\(escape(o.spec.label))\">")
                switch o.outcome {
                case .fail, .notMeasured:
                    xml.append("      <failure type=\"\(o.outcome.rawValue)\" message=\"\(escape(o.message))\">\(escape(o.message))</failure>")
                case .inconclusive:
                    xml.append("      <skipped message=\"\(escape(o.message))\"/>")
                case .pass:
                    xml.append("      <system-out>\(escape(o.message))</system-out>")
                }
                xml.append("    </testcase>")
            }
            xml.append("  </testsuite>")
        }
        xml.append("</testsuites>")
        return xml.joined(separator: "\n") + "\n"
    }

    /// XML text and attribute escaping; characters XML 1.0 cannot carry are replaced by U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || (v >= 0xFFFE && v <= 0xFFFF) { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// The verdict file (`kind: gate`).
    public struct VerdictFile: Codable, Sendable {
        public var schemaVersion = ResultsSchema.version
        public var kind = ResultsKind.gate
        public var outcome: ThresholdOutcomeKind
        public var exitCode: Int32
        public var verdict: GateVerdict

        public init(verdict: GateVerdict, exitCode: Int32) {
            outcome = verdict.outcome
            self.exitCode = exitCode
            self.verdict = verdict
        }

        enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version", kind, outcome, exitCode = "exit_code", verdict }
    }
}
