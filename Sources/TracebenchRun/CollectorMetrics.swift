import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import TracebenchJudge
import TracebenchMeasure
import TracebenchResults

/// Scrapes a collector's Prometheus endpoint (otelcol's `:8888/metrics`) once before the load and once after the
/// drain; the difference is what the collector says it accepted, refused, sent and failed to send during the run.
final class CollectorMetrics: Sendable {
    let url: String
    private let client: HTTPClient
    private let readings = Mutex<(before: CollectorCounters?, after: CollectorCounters?, problem: String?)>((nil, nil, nil))

    init(url: String, client: HTTPClient) {
        self.url = url
        self.client = client
    }

    /// Takes the reading before the load.
    func scrapeBefore() async {
        do {
            let counters = try await read()
            readings.withLock { $0.before = counters }
        } catch {
            note(error)
        }
    }

    /// Takes the reading after the drain, once the counters stopped moving for `quietFor` (or after `atMost`):
    /// a collector still flushing its batches would otherwise be read too early.
    func scrapeAfterDrain(quietFor: Duration = .milliseconds(1500), atMost: Duration = .seconds(20)) async {
        do {
            let settled = try await QuietWindow(clock: ContinuousClock(), atMost: atMost, period: .milliseconds(250))
                .wait(read: { try await read() }, quietFor: { _ in quietFor })
            readings.withLock { $0.after = settled }
        } catch {
            note(error)
        }
    }

    /// One reading, tried up to `attempts` times: a scrape that meets a pooled connection the collector closed, or a
    /// collector busy for a moment, is read again rather than losing the run's counters (a CI flake once did).
    private func read(attempts: Int = 3) async throws -> CollectorCounters {
        var attempt = 1
        while true {
            do { return try await readOnce() } catch {
                guard attempt < attempts, !Task.isCancelled else { throw error }
                attempt += 1
                try? await Task.sleep(for: .milliseconds(300))
            }
        }
    }

    private func readOnce() async throws -> CollectorCounters {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "text/plain")
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status.code == 200 else { throw ScrapeError(message: "HTTP \(response.status.code)") }
        return PrometheusText.counters(String(buffer: body))
    }

    private func note(_ error: any Error) {
        readings.withLock { $0.problem = $0.problem ?? "cannot scrape the collector's metrics at \(url): \(error)" }
    }

    /// The counters' growth over the run, or why there is none.
    func result() -> Result<CollectorCounters, ScrapeError> {
        readings.withLock { state in
            if let problem = state.problem { return .failure(ScrapeError(message: problem)) }
            guard let before = state.before, let after = state.after else { return .failure(ScrapeError(message: "the collector's metrics were not scraped twice")) }
            return .success(after.since(before))
        }
    }

    struct ScrapeError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// The Prometheus text exposition format, as far as span counters need it.
enum PrometheusText {
    /// Sums every sample of the OTel Collector's span counters, whatever their labels.
    static func counters(_ text: String) -> CollectorCounters {
        var counters = CollectorCounters()
        for line in text.split(whereSeparator: \.isNewline) {
            guard let (name, value) = sample(line) else { continue }
            let base = name.hasSuffix("_total") ? String(name.dropLast("_total".count)) : name
            switch base {
            case "otelcol_receiver_accepted_spans": counters.acceptedSpans += value
            case "otelcol_receiver_refused_spans": counters.refusedSpans += value
            case "otelcol_exporter_sent_spans": counters.sentSpans += value
            case "otelcol_exporter_send_failed_spans": counters.sendFailedSpans += value
            default: break
            }
        }
        return counters
    }

    /// `name{label="value",…} 12.5 [timestamp]` → (name, 12.5); comments, blank and malformed lines → nil.
    static func sample(_ line: Substring) -> (String, Double)? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard let first = trimmed.first, first != "#" else { return nil }
        guard let nameEnd = trimmed.firstIndex(where: { $0 == "{" || $0 == " " || $0 == "\t" }) else { return nil }
        let name = String(trimmed[..<nameEnd])
        var rest = trimmed[nameEnd...]
        if rest.first == "{" {
            // Skip the label set; quoted values may hold `}` and escaped quotes.
            var inQuotes = false, escaped = false
            var index = rest.index(after: rest.startIndex)
            while index < rest.endIndex {
                let character = rest[index]
                if escaped { escaped = false } else if character == "\\" { escaped = inQuotes } else if character == "\"" { inQuotes.toggle() } else if character == "}", !inQuotes { break }
                index = rest.index(after: index)
            }
            guard index < rest.endIndex else { return nil }
            rest = rest[rest.index(after: index)...]
        }
        guard let token = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).first, let value = Double(token) else { return nil }
        return (name, value)
    }
}
