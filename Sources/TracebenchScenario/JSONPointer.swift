import Foundation

/// RFC 6901 JSON pointers (`/trace/id`, `/items/0/traceparent`), for reading a job's trace id from a submit response.
public enum JSONPointer {
    /// Whether `pointer` is well formed: empty (the whole document) or `/`-separated tokens in which `~` only
    /// appears as `~0` (a `~`) or `~1` (a `/`).
    public static func isValid(_ pointer: String) -> Bool { tokens(pointer) != nil }

    /// The pointer's reference tokens, unescaped (nil when malformed).
    static func tokens(_ pointer: String) -> [String]? {
        guard pointer.hasPrefix("/") else { return pointer.isEmpty ? [] : nil }
        var result: [String] = []
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var escaped = false
            for character in raw {
                if escaped {
                    guard character == "0" || character == "1" else { return nil }
                    token.append(character == "0" ? "~" : "/")
                    escaped = false
                } else if character == "~" {
                    escaped = true
                } else {
                    token.append(character)
                }
            }
            if escaped { return nil }
            result.append(token)
        }
        return result
    }

    /// The string at `pointer` in the JSON document `data`; nil when the body is not JSON, the path does not exist
    /// or the value there is not a string.
    public static func string(at pointer: String, in data: Data) -> String? {
        guard let tokens = tokens(pointer), var node = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed) else { return nil }
        for token in tokens {
            if let object = node as? [String: Any], let next = object[token] {
                node = next
            } else if let array = node as? [Any], let index = Int(token), token == String(index), array.indices.contains(index) {
                node = array[index]
            } else {
                return nil
            }
        }
        return node as? String
    }
}
