/// A set of job indices (a built-in run's job ids are `<run id>-<index>`) as a bitmap: one bit per arrival of the
/// schedule, so an hour at 200 jobs/s keeps 90 KB where the ids as strings kept tens of megabytes.
struct JobIndexSet: Sendable, Equatable {
    private var words: [UInt64] = []
    /// Indices in the set.
    private(set) var count = 0

    /// Adds `index`; false when it was there already (or negative).
    @discardableResult
    mutating func insert(_ index: Int) -> Bool {
        guard index >= 0 else { return false }
        let word = index >> 6, bit = UInt64(1) << UInt64(index & 63)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
        guard words[word] & bit == 0 else { return false }
        words[word] |= bit
        count += 1
        return true
    }

    func contains(_ index: Int) -> Bool {
        let word = index >> 6
        return index >= 0 && word < words.count && words[word] & (UInt64(1) << UInt64(index & 63)) != 0
    }

    /// The indices, in increasing order.
    var indices: [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        for (word, bits) in words.enumerated() where bits != 0 {
            for bit in 0 ..< 64 where bits & (UInt64(1) << UInt64(bit)) != 0 { result.append(word << 6 | bit) }
        }
        return result
    }

    /// The index of a job id `<run id>-<index>` of run `runID` (nil for any other id).
    static func index(ofJob id: String, runID: String) -> Int? {
        guard id.count > runID.count + 1, id.hasPrefix(runID + "-") else { return nil }
        return Int(id.dropFirst(runID.count + 1))
    }
}
