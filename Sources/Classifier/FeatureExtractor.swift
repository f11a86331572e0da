/// Receives the hashed features of a text, one bucket index at a time, and the end of every word.
protocol FeatureSink {
    /// Adds one occurrence of a feature.
    mutating func add(bucket: Int)
    /// Called after each word: whether it began with a digit and whether it is a hard word (see ``WordFlags``).
    mutating func endWord(leadingDigit: Bool, hardWord: Bool)
}

extension FeatureSink {
    mutating func endWord(leadingDigit: Bool, hardWord: Bool) {}
}

/// Turns text into hashed features: words and pairs of neighbouring words (function words left out),
/// character n-grams (n in 3...5, chosen by `gramSizes`) of each word with its start and end marked,
/// and code/number symbols, each hashed into one of `1 << bucketBits` buckets.
///
/// Text is read as UTF-8 bytes through a 256-entry table: ASCII letters are lower-cased, every digit
/// reads as `0` (so "$25" and "$40" share features), bytes above 127 are letters, the symbols below
/// are features of their own and other ASCII punctuation separates words. One pass, no allocation,
/// one table probe per word for function and hard words, multiply-shift hashing.
public struct FeatureExtractor: Sendable, Equatable {
    /// Number of hash buckets is `1 << bucketBits`.
    public let bucketBits: Int
    /// Which character n-grams are used: bit 0 for 3-grams, bit 1 for 4-grams, bit 2 for 5-grams.
    public let gramSizes: Int

    /// Creates an extractor with `1 << bucketBits` buckets and the character n-grams in `gramSizes`.
    public init(bucketBits: Int, gramSizes: Int = 0b010) {
        self.bucketBits = bucketBits; self.gramSizes = gramSizes
    }

    fileprivate static let wordSeed: UInt64 = 0x9E37_79B9_7F4A_7C15
    fileprivate static let pairSeed: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    fileprivate static let symbolSeed: UInt64 = 0x1656_67B1_9E37_79F9
    fileprivate static let gramSeed: UInt64 = 0x27D4_EB2F_1656_67C5
    fileprivate static let wordStart: UInt64 = 0x01
    fileprivate static let wordEnd: UInt64 = 0x02

    /// Per byte: 0 separator, 1 symbol kept as a feature, otherwise the byte as a word byte (lower-cased, digits as `0`).
    static let byteTable: [UInt8] = (0...255).map { (value: Int) -> UInt8 in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), 0x80...0xFF: return byte
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte | 0x20
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt8(ascii: "0")
        default: return "$%=(){}[]<>+*/#_:;|^\\`?\"@".utf8.contains(byte) ? 1 : 0
        }
    }

    /// Multiply-shift hashing: a feature key times this odd constant, top `bucketBits` bits, is its bucket.
    fileprivate static let bucketMultiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// Folds eight bytes of a long word into its hash.
    fileprivate static let foldMultiplier: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    /// The hash of a word as the feature pass computes it (bytes already lower-cased, digits as `0`):
    /// its last bytes packed after a start marker, mixed with a fold of every eight bytes before them.
    static func wordHash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var window = wordStart, length = 1, folded: UInt64 = 0
        for byte in bytes { appendToWord(byte, window: &window, length: &length, folded: &folded) }
        return finishWordHash(window: window, length: length, folded: folded)
    }

    /// Adds one byte to a word's window, folding the window into `folded` each time it is full.
    @inline(__always) fileprivate static func appendToWord(_ byte: UInt8, window: inout UInt64, length: inout Int, folded: inout UInt64) {
        if length & 7 == 0 { folded = (folded ^ window) &* foldMultiplier }
        window = (window << 8) | UInt64(byte)
        length &+= 1
    }

    /// The word hash from its window and fold.
    @inline(__always) fileprivate static func finishWordHash(window: UInt64, length: Int, folded: UInt64) -> UInt64 {
        let x = (window ^ folded) &* bucketMultiplier
        return x ^ (x >> 29)
    }

    /// Feeds every feature of `text` to `sink`; returns how many features were fed.
    @discardableResult
    func extract<Sink: FeatureSink>(_ text: UnsafeBufferPointer<UInt8>, into sink: inout Sink) -> Int {
        Self.byteTable.withUnsafeBufferPointer { bytes in
            WordFlags.standard.keys.withUnsafeBufferPointer { keys in
                WordFlags.standard.flags.withUnsafeBufferPointer { flags in
                    extract(text, bytes: bytes.baseAddress!, keys: keys.baseAddress!, flags: flags.baseAddress!, into: &sink)
                }
            }
        }
    }

    @inline(__always)
    private func extract<Sink: FeatureSink>(_ text: UnsafeBufferPointer<UInt8>, bytes table: UnsafePointer<UInt8>,
                                            keys: UnsafePointer<UInt64>, flags: UnsafePointer<UInt8>, into sink: inout Sink) -> Int {
        var scan = Scan(shift: UInt64(64 - bucketBits), gramSizes: gramSizes, keys: keys, flags: flags)
        for raw in text {
            let byte = table[Int(raw)]
            if byte > 1 {
                scan.wordByte(byte, &sink)
            } else {
                if scan.length > 1 { scan.endWord(&sink) }
                if byte == 1 { scan.add(UInt64(raw) ^ Self.symbolSeed, &sink) }
            }
        }
        if scan.length > 1 { scan.endWord(&sink) }
        return scan.count
    }

    /// The state of one pass: the current word, the previous word and the feature count.
    private struct Scan {
        let shift: UInt64
        let grams3: Bool, grams4: Bool, grams5: Bool
        let keys: UnsafePointer<UInt64>
        let flags: UnsafePointer<UInt8>
        var count = 0
        /// The word's last bytes, newest lowest, after a start marker.
        var window = FeatureExtractor.wordStart
        /// Bytes in the window, marker included (1: no word open).
        var length = 1
        /// Every eight bytes of a long word folded together (see ``FeatureExtractor/wordHash(_:)``).
        var folded: UInt64 = 0
        var leadingDigit = false
        var previousWord: UInt64 = 0
        var havePrevious = false

        init(shift: UInt64, gramSizes: Int, keys: UnsafePointer<UInt64>, flags: UnsafePointer<UInt8>) {
            self.shift = shift; self.keys = keys; self.flags = flags
            grams3 = gramSizes & 1 != 0; grams4 = gramSizes & 2 != 0; grams5 = gramSizes & 4 != 0
        }

        @inline(__always) mutating func add<Sink: FeatureSink>(_ key: UInt64, _ sink: inout Sink) {
            sink.add(bucket: Int(truncatingIfNeeded: (key &* FeatureExtractor.bucketMultiplier) >> shift))
            count &+= 1
        }

        @inline(__always) mutating func grams<Sink: FeatureSink>(_ window: UInt64, _ length: Int, _ sink: inout Sink) {
            if grams3 && length >= 3 { add((window & 0xFF_FFFF) ^ (FeatureExtractor.gramSeed &* 3), &sink) }
            if grams4 && length >= 4 { add((window & 0xFFFF_FFFF) ^ (FeatureExtractor.gramSeed &* 4), &sink) }
            if grams5 && length >= 5 { add((window & 0xFF_FFFF_FFFF) ^ (FeatureExtractor.gramSeed &* 5), &sink) }
        }

        @inline(__always) mutating func wordByte<Sink: FeatureSink>(_ byte: UInt8, _ sink: inout Sink) {
            if length == 1 { leadingDigit = byte == UInt8(ascii: "0") }
            FeatureExtractor.appendToWord(byte, window: &window, length: &length, folded: &folded)
            grams(window, length, &sink)
        }

        @inline(__always) mutating func endWord<Sink: FeatureSink>(_ sink: inout Sink) {
            grams((window << 8) | FeatureExtractor.wordEnd, length &+ 1, &sink)
            let wordHash = FeatureExtractor.finishWordHash(window: window, length: length, folded: folded)
            let flag = WordFlags.lookup(wordHash, keys: keys, flags: flags)
            if flag & WordFlags.functionWord == 0 {
                add(wordHash ^ FeatureExtractor.wordSeed, &sink)
                if havePrevious { add((previousWord &* 31 &+ wordHash) ^ FeatureExtractor.pairSeed, &sink) }
                previousWord = wordHash
                havePrevious = true
            }
            sink.endWord(leadingDigit: leadingDigit, hardWord: flag & WordFlags.hardWord != 0)
            window = FeatureExtractor.wordStart; length = 1; folded = 0
        }
    }

    /// The buckets of every feature of `text`, in order (for training and tools; allocates).
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
