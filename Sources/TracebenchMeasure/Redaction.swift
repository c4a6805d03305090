/// The one choke point for secrets: what replaces them, which keys hold them, and how URL user-info is masked in
/// any text before it reaches a message, a log line or a results file.
public enum Redaction {
    /// What replaces a secret.
    public static let marker = "<redacted>"

    /// Whether a key's value is a secret by its name (`password`, `token`, `authorization`, `secret`, `api_key`…).
    public static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "passwd", "token", "secret", "authorization", "api_key", "apikey", "cookie"].contains { lowered.contains($0) }
    }

    /// `text` with the user-info of every `scheme://user:password@host` replaced (`redis://:<redacted>@host`); the
    /// user name stays when there is a password, a lone user-info (`scheme://token@host`) is replaced whole.
    public static func maskingURLCredentials(_ text: String) -> String {
        guard text.contains("@") else { return text }
        var result = ""
        var rest = Substring(text)
        while let schemeEnd = rest.range(of: "://") {
            result += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" || $0.isWhitespace || $0 == "\"" || $0 == "'" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                if let colon = userInfo.firstIndex(of: ":") {
                    result += userInfo[..<colon] + ":" + marker
                } else {
                    result += marker
                }
                rest = rest[at...]
            }
        }
        return result + rest
    }
}
