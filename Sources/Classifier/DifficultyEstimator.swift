/// Scores how hard a prompt is from its surface, from counts the feature pass already gathers.
///
/// Points: +1 for 400 bytes or more and +1 more for 1,500 or more; +1 for a `math` or `code`
/// domain; +1 for each "hard" word (prove, derive, optimize, complexity, algorithm, ...; at most 2);
/// +1 for six numbers or more. 0–1 point is `easy`, 2–3 `medium`, 4 or more `hard`.
public enum DifficultyEstimator {
    /// The levels, easiest first.
    public static let levels = ["easy", "medium", "hard"]

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
        copy.withUTF8 { sink.signals.bytes = $0.count; _ = extractor.extract($0, into: &sink) }
        return level(sink.signals, domain: domain)
    }
}

/// Gathers only the difficulty counts.
private struct SignalSink: FeatureSink {
    var signals = DifficultyEstimator.Signals()
    mutating func add(bucket: Int) {}
    mutating func endWord(leadingDigit: Bool, hardWord: Bool) {
        if leadingDigit { signals.numbers += 1 } else if hardWord && signals.hardWords < 2 { signals.hardWords += 1 }
    }
}
