import Foundation

/// The one choke point for secrets: what replaces them, which keys hold them, and how credentials in URLs are
/// masked in any text before it reaches a message, a log line or a results file. Every message type tracebench
/// prints or stores (scenario problems, run failures, results problems) passes its text through
/// ``maskingURLCredentials(_:)`` when it is made.
public enum Redaction {
    /// What replaces a secret.
    public static let marker = "<redacted>"

    /// Whether a key's value is a secret by its name (`password`, `token`, `authorization`, `secret`, `api_key`…), or
    /// holds request headers as one string (`OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer …` in an environment).
    public static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        if lowered.hasSuffix("_headers") { return true }
        return ["password", "passwd", "token", "secret", "authorization", "api_key", "apikey", "cookie"].contains { lowered.contains($0) }
    }

    /// `text` with the credentials of every URL-like token masked, whatever its scheme (or none):
    /// `REDIS://:pw@h:1` → `REDIS://:<redacted>@h:1`, `http://user:pw@h` → `http://user:<redacted>@h`,
    /// `:pw@h:6379` → `:<redacted>@h:6379`, `scheme://token@h` → `scheme://<redacted>@h`. A token without a scheme
    /// and without a colon before its `@` (an e-mail address) is left alone.
    public static func maskingURLCredentials(_ text: String) -> String {
        guard text.contains("@") else { return text }
        var result = ""
        var token = ""
        for character in text {
            if isTokenBoundary(character) {
                result += maskToken(token)
                result.append(character)
                token = ""
            } else {
                token.append(character)
            }
        }
        return result + maskToken(token)
    }

    private static func isTokenBoundary(_ character: Character) -> Bool {
        character.isWhitespace || "\"'`<>(),;".contains(character)
    }

    /// Masks the user-info of one token (the text between its scheme, if any, and its last `@` before a path).
    private static func maskToken(_ token: String) -> String {
        guard let at = token.lastIndex(of: "@") else { return token }
        let schemeEnd = token.range(of: "://")
        let start = schemeEnd.map(\.upperBound) ?? token.startIndex
        guard start <= at else { return token }
        // An `@` in the path or query is not user-info.
        if token[start..<at].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { return token }
        let userInfo = token[start..<at]
        if let colon = userInfo.firstIndex(of: ":") {
            return String(token[..<token.index(after: colon)]) + marker + String(token[at...])
        }
        guard schemeEnd != nil, !userInfo.isEmpty else { return token }
        return String(token[..<start]) + marker + String(token[at...])
    }
}
