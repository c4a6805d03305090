/// Reading results files written by any version: a key that is absent (or null) decodes as the field's default, so
/// a key added later never makes an older file unreadable; keys a reader does not know are ignored.
extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when the file has no such key (or null there).
    @inlinable
    public func callAsFunction<T: Decodable>(_ key: Key, _ fallback: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback()
    }
}
