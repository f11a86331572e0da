/// Receives the hashed features of a text, one bucket index at a time, and the end of every word.
protocol FeatureSink {
    /// Adds one occurrence of a feature.
    mutating func add(bucket: Int)
    /// Called after each word with its FNV-1a hash (lower-cased bytes, digits as `0`) and whether it began with a digit.
    mutating func endWord(hash: UInt64, leadingDigit: Bool)
}

extension FeatureSink {
    mutating func endWord(hash: UInt64, leadingDigit: Bool) {}
}

/// Turns text into hashed features: words and word pairs (function words left out), character n-grams (n in 3...5) inside words and
/// code/number symbols, each hashed into one of `1 << bucketBits` buckets.
///
/// Text is read as UTF-8 bytes: ASCII letters are lower-cased, every digit reads as `0` (so "$25"
/// and "$40" share features), other ASCII punctuation separates words, and bytes above 127 are
/// letters. One pass, no allocation.
public struct FeatureExtractor: Sendable, Equatable {
    /// Number of hash buckets is `1 << bucketBits`.
    public let bucketBits: Int
    /// Which character n-grams are used: bit 0 for 3-grams, bit 1 for 4-grams, bit 2 for 5-grams.
    public let gramSizes: Int

    /// Creates an extractor with `1 << bucketBits` buckets and the character n-grams in `gramSizes`.
    public init(bucketBits: Int, gramSizes: Int = 0b010) {
        self.bucketBits = bucketBits; self.gramSizes = gramSizes
    }

    private static let wordSeed: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let pairSeed: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let symbolSeed: UInt64 = 0x1656_67B1_9E37_79F9
    private static let gramSeed: UInt64 = 0x27D4_EB2F_1656_67C5
    private static let wordStart: UInt64 = 0x01

    /// FNV-1a hashes of common English function words, sorted; they get no word or word-pair feature
    /// (their character n-grams stay), so the style of a data set weighs less than its vocabulary.
    static let stopwordHashes: [UInt64] = [
        "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from",
        "as", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "have", "has", "had", "it",
        "its", "this", "that", "these", "those", "i", "me", "my", "you", "your", "we", "our", "he", "she",
        "his", "her", "they", "them", "their", "what", "which", "who", "how", "when", "where", "why", "can",
        "could", "would", "should", "will", "there", "so", "not", "no", "about", "into", "than", "then",
    ].map { word in word.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 } }.sorted()

    private static let wordEnd: UInt8 = 0x02

    /// The murmur3 64-bit finaliser: spreads every input bit over the whole hash.
    @inline(__always) static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33; x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33; x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    @inline(__always) private func bucket(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: Self.mix(hash) >> UInt64(64 - bucketBits)) }

    /// Byte class: 0 separator, 1 letter or digit (returned lower-cased / as `0`), 2 symbol kept as its own feature.
    @inline(__always) private static func classify(_ byte: UInt8) -> (kind: UInt8, byte: UInt8) {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return (1, byte)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return (1, byte | 0x20)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return (1, UInt8(ascii: "0"))
        case 0x80...0xFF: return (1, byte)
        case UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "="), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "<"),
             UInt8(ascii: ">"), UInt8(ascii: "+"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "#"),
             UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "^"),
             UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "?"), UInt8(ascii: "\""), UInt8(ascii: "@"):
            return (2, byte)
        default: return (0, byte)
        }
    }

    /// Feeds every feature of `text` to `sink`; returns how many features were fed.
    @discardableResult
    func extract<Sink: FeatureSink>(_ text: UnsafeBufferPointer<UInt8>, into sink: inout Sink) -> Int {
        Self.stopwordHashes.withUnsafeBufferPointer { stopwords in extract(text, stopwords: stopwords, into: &sink) }
    }

    private func extract<Sink: FeatureSink>(_ text: UnsafeBufferPointer<UInt8>, stopwords: UnsafeBufferPointer<UInt64>, into sink: inout Sink) -> Int {
        var count = 0
        var window: UInt64 = Self.wordStart   // the word's last bytes, newest lowest, after a start marker
        var length = 1                        // bytes in the window, marker included
        var wordHash: UInt64 = 0xCBF2_9CE4_8422_2325
        var inWord = false
        var leadingDigit = false
        var previousWord: UInt64 = 0
        var havePrevious = false

        @inline(__always) func grams(_ window: UInt64, _ length: Int, _ sink: inout Sink) {
            if length >= 3 && gramSizes & 1 != 0 { sink.add(bucket: bucket((window & 0xFF_FFFF) ^ (Self.gramSeed &* 3))); count += 1 }
            if length >= 4 && gramSizes & 2 != 0 { sink.add(bucket: bucket((window & 0xFFFF_FFFF) ^ (Self.gramSeed &* 4))); count += 1 }
            if length >= 5 && gramSizes & 4 != 0 { sink.add(bucket: bucket((window & 0xFF_FFFF_FFFF) ^ (Self.gramSeed &* 5))); count += 1 }
        }

        for raw in text {
            let (kind, byte) = Self.classify(raw)
            if kind == 1 {
                if !inWord { leadingDigit = byte == UInt8(ascii: "0") }
                inWord = true
                window = (window << 8) | UInt64(byte)
                length += 1
                wordHash = (wordHash ^ UInt64(byte)) &* 0x100_0000_01B3
                grams(window, length, &sink)
                continue
            }
            if inWord {
                window = (window << 8) | UInt64(Self.wordEnd)
                grams(window, length + 1, &sink)
                if !DifficultyEstimator.contains(stopwords, wordHash) {
                    sink.add(bucket: bucket(wordHash ^ Self.wordSeed)); count += 1
                    if havePrevious { sink.add(bucket: bucket(previousWord &* 31 &+ wordHash ^ Self.pairSeed)); count += 1 }
                    previousWord = wordHash
                    havePrevious = true
                }
                sink.endWord(hash: wordHash, leadingDigit: leadingDigit)
                inWord = false
                window = Self.wordStart; length = 1; wordHash = 0xCBF2_9CE4_8422_2325
            }
            if kind == 2 { sink.add(bucket: bucket(UInt64(byte) ^ Self.symbolSeed)); count += 1 }
        }
        if inWord {
            window = (window << 8) | UInt64(Self.wordEnd)
            grams(window, length + 1, &sink)
            if !DifficultyEstimator.contains(stopwords, wordHash) {
                sink.add(bucket: bucket(wordHash ^ Self.wordSeed)); count += 1
                if havePrevious { sink.add(bucket: bucket(previousWord &* 31 &+ wordHash ^ Self.pairSeed)); count += 1 }
            }
            sink.endWord(hash: wordHash, leadingDigit: leadingDigit)
        }
        return count
    }

    /// The buckets of every feature of `text`, in order (for training; allocates).
    public func buckets(of text: String) -> [Int] {
        var sink = CollectingSink()
        var copy = text
        copy.withUTF8 { _ = extract($0, into: &sink) }
        return sink.buckets
    }
}

/// Collects buckets into an array.
struct CollectingSink: FeatureSink {
    var buckets: [Int] = []
    mutating func add(bucket: Int) { buckets.append(bucket) }
}
