/// Parses the parts of a `redis://[:password@]host:port[/db]` URL, the only form tracebench's hiredis 0.14 client can use.
struct RedisURLParser: Equatable, Sendable {
    /// Why a URL was refused, phrased for a person.
    struct Invalid: Error, Equatable {
        let reason: String
    }

    var password: String?
    var host: String
    var port: Int
    var database: Int

    static let form = "redis://[:password@]host:port[/db]"

    /// Parses `text`, which must not be empty.
    static func parse(_ text: String) throws(Invalid) -> RedisURLParser {
        if text.hasPrefix("rediss://") {
            throw Invalid(reason: "rediss:// (TLS) is not supported: hiredis 0.14 has no TLS")
        }
        guard text.hasPrefix("redis://") else {
            throw Invalid(reason: "expected an empty string or \(form), got '\(text)'")
        }
        var rest = Substring(text.dropFirst("redis://".count))
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            guard userInfo.first == ":" else {
                throw Invalid(reason: "a user name is not supported (hiredis 0.14 sends AUTH with a password only); use \(form)")
            }
            guard userInfo.count > 1 else { throw Invalid(reason: "the password after ':' is empty; use \(form)") }
            password = String(userInfo.dropFirst())
            rest = rest[rest.index(after: at)...]
        }
        let hostPort: Substring
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else {
                    throw Invalid(reason: "the database after '/' must be a non-negative integer, got '\(path)'")
                }
                database = number
            }
        } else {
            hostPort = rest
        }
        let (host, port) = try splitHostPort(hostPort)
        return RedisURLParser(password: password, host: host, port: port, database: database)
    }

    private static func splitHostPort(_ text: Substring) throws(Invalid) -> (String, Int) {
        let host: Substring
        let portText: Substring
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { throw Invalid(reason: "unclosed '[' in the host of \(form)") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard after.first == ":" else { throw Invalid(reason: "missing port: expected \(form)") }
            portText = after.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw Invalid(reason: "missing port: expected \(form)") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw Invalid(reason: "missing host: expected \(form)") }
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw Invalid(reason: "the port must be an integer between 1 and 65535, got '\(portText)'")
        }
        return (String(host), port)
    }

    /// `url` with any password (or bare user-info) replaced by `<redacted>`; works on URLs that do not parse too.
    static func redactingPassword(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        let afterScheme = url[scheme.upperBound...]
        guard let at = afterScheme.lastIndex(of: "@") else { return url }
        let userInfo = afterScheme[..<at]
        let secretStart = userInfo.firstIndex(of: ":").map { url.index(after: $0) } ?? userInfo.startIndex
        return url[..<secretStart] + "<redacted>" + url[at...]
    }
}
