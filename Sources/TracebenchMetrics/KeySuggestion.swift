/// "Did you mean …?" suggestions for misspelled keys and enum values.
public enum KeySuggestion {
    /// The largest edit distance at which a known word is still offered as a suggestion.
    public static let maximumDistance = 2

    /// The known word closest to `word` (ignoring case), if one is within ``maximumDistance`` edits.
    /// Ties go to the word listed first.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        var best: (word: String, distance: Int)?
        let word = word.lowercased()
        for candidate in candidates {
            guard let distance = editDistance(word, candidate.lowercased(), atMost: maximumDistance) else { continue }
            if distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.word
    }

    /// The edit distance when it is at most `limit`, else nil — in time bounded by the shorter word times the limit's
    /// band, so a hostile kilobyte-long key costs no more than a typo (a length difference over the limit returns at
    /// once; a row whose every cell is over the limit ends the scan).
    public static func editDistance(_ a: String, _ b: String, atMost limit: Int) -> Int? {
        let a = Array(a), b = Array(b)
        guard abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}
