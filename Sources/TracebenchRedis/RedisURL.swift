/// A parsed `redis://[:password@]host:port[/db]` URL. The password is never part of ``redacted`` or
/// ``description``.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var password: String?
    public var database: Int

    public init(host: String = "127.0.0.1", port: Int = 6379, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
    }

    /// Parses a Redis URL; `rediss://` is rejected because hiredis 0.14 has no TLS.
    public init(parsing text: String) throws(RedisError) {
        do throws(RedisURLParser.Invalid) {
            let parts = try RedisURLParser.parse(text)
            self.init(host: parts.host, port: parts.port, password: parts.password, database: parts.database)
        } catch {
            throw .badURL(error.reason)
        }
    }

    /// The URL with any password replaced by `<redacted>`.
    public var redacted: String {
        let auth = password == nil ? "" : ":<redacted>@"
        return "redis://\(auth)\(host):\(port)/\(database)"
    }

    public var description: String { redacted }

    /// The full URL including the password, for handing to a child process; never print it.
    public var secretURL: String {
        let auth = password.map { ":\($0)@" } ?? ""
        return "redis://\(auth)\(host):\(port)/\(database)"
    }

    /// Replaces the password part of any redis URL-looking text (also of URLs that do not parse).
    public static func redact(_ text: String) -> String {
        RedisURLParser.redactingPassword(text)
    }
}
