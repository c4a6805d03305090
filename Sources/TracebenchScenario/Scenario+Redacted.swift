import TracebenchMeasure
import TracebenchRedis
extension Scenario {
    /// What replaces a secret in ``redacted``.
    public static let redactionMarker = Redaction.marker

    /// A copy safe to print or store in results: every `tracing.headers` value and any password in `redis.url`
    /// is replaced by `<redacted>` (`redis://:<redacted>@127.0.0.1:6379/0`).
    public var redacted: Scenario {
        var copy = self
        copy.tracing.headers = tracing.headers.mapValues { _ in Self.redactionMarker }
        copy.redis.url = RedisURL.redact(redis.url)
        copy.source.text = ""  // the file as written holds the same secrets
        return copy
    }
}
