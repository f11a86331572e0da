/// Scores how hard a prompt is from its surface, from counts the feature pass already gathers.
///
/// Points: +1 for 400 bytes or more and +1 more for 1,500 or more; +1 for a `math` or `code`
/// domain; +1 for each "hard" word (prove, derive, optimize, complexity, algorithm, ...; at most 2);
/// +1 for six numbers or more. 0–1 point is `easy`, 2–3 `medium`, 4 or more `hard`.
public enum DifficultyEstimator {
    /// The levels, easiest first.
    public static let levels = ["easy", "medium", "hard"]

    /// FNV-1a hashes of the words that make a prompt harder, sorted for binary search.
    static let hardWordHashes: [UInt64] = [
        "prove", "proof", "derive", "derivation", "optimize", "optimise", "optimal", "complexity", "algorithm",
        "efficient", "efficiently", "rigorous", "rigorously", "theorem", "analyze", "analyse", "asymptotic",
        "concurrency", "concurrent", "recursion", "recursive", "dynamic", "tradeoffs", "implications",
        "justify", "integral", "differential", "eigenvalues", "multistep", "edge",
    ].map { word in word.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 } }.sorted()

    /// Surface counts of one prompt.
    public struct Signals: Sendable, Equatable {
        /// UTF-8 bytes of system and user text.
        public var bytes = 0
        /// Words that start with a digit.
        public var numbers = 0
        /// Distinct occurrences of hard words (counted up to 2).
        public var hardWords = 0

        /// Creates counts.
        public init(bytes: Int = 0, numbers: Int = 0, hardWords: Int = 0) {
            self.bytes = bytes; self.numbers = numbers; self.hardWords = hardWords
        }
    }

    /// The level for these counts and domain.
    public static func level(_ signals: Signals, domain: String) -> String {
        var points = min(signals.hardWords, 2)
        if signals.bytes >= 400 { points += 1 }
        if signals.bytes >= 1_500 { points += 1 }
        if domain == "math" || domain == "code" { points += 1 }
        if signals.numbers >= 6 { points += 1 }
        return points <= 1 ? "easy" : points <= 3 ? "medium" : "hard"
    }

    /// The level of a text, computed on its own (for tools and tests; the classifier gathers the counts in its feature pass).
    public static func level(of text: String, domain: String) -> String {
        var sink = SignalSink()
        var copy = text
        let extractor = FeatureExtractor(bucketBits: 8, gramSizes: 0)
        hardWordHashes.withUnsafeBufferPointer { hard in
            sink.hard = hard
            copy.withUTF8 { sink.signals.bytes = $0.count; _ = extractor.extract($0, into: &sink) }
        }
        return level(sink.signals, domain: domain)
    }

    /// Whether a sorted buffer holds a hash.
    @inline(__always) static func contains(_ sorted: UnsafeBufferPointer<UInt64>, _ hash: UInt64) -> Bool {
        var low = 0, high = sorted.count - 1
        while low <= high {
            let middle = (low + high) >> 1
            let value = sorted[middle]
            if value == hash { return true }
            if value < hash { low = middle + 1 } else { high = middle - 1 }
        }
        return false
    }
}

/// Gathers only the difficulty counts.
private struct SignalSink: FeatureSink {
    var signals = DifficultyEstimator.Signals()
    var hard = UnsafeBufferPointer<UInt64>(start: nil, count: 0)
    mutating func add(bucket: Int) {}
    mutating func endWord(hash: UInt64, leadingDigit: Bool) {
        if leadingDigit { signals.numbers += 1 } else if signals.hardWords < 2 && DifficultyEstimator.contains(hard, hash) { signals.hardWords += 1 }
    }
}
