/// The words the feature pass treats specially, looked up by hash in one probe on average:
/// function words (no word or word-pair feature) and "hard" words (a difficulty signal).
///
/// An open-addressing table of 1,024 word hashes (0 marks an empty slot) filled about a tenth,
/// so a word that is not in it almost always stops at the first, empty slot.
struct WordFlags: Sendable {
    /// The word gets no word or word-pair feature.
    static let functionWord: UInt8 = 1
    /// The word makes a prompt harder (see ``DifficultyEstimator``).
    static let hardWord: UInt8 = 2

    /// Common English function words: the style of a data set should weigh less than its vocabulary.
    static let functionWords = [
        "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from",
        "as", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "have", "has", "had", "it",
        "its", "this", "that", "these", "those", "i", "me", "my", "you", "your", "we", "our", "he", "she",
        "his", "her", "they", "them", "their", "what", "which", "who", "how", "when", "where", "why", "can",
        "could", "would", "should", "will", "there", "so", "not", "no", "about", "into", "than", "then",
        "s", "t", "m", "re", "ll", "ve", "d", "just", "some", "any", "all", "also", "very", "here", "get",
    ]

    /// Words that make a prompt harder to answer well.
    static let hardWords = [
        "prove", "proof", "derive", "derivation", "optimize", "optimise", "optimal", "complexity", "algorithm",
        "efficient", "efficiently", "rigorous", "rigorously", "theorem", "analyze", "analyse", "asymptotic",
        "concurrency", "concurrent", "recursion", "recursive", "dynamic", "tradeoffs", "implications",
        "justify", "integral", "differential", "eigenvalues", "multistep", "edge",
    ]

    /// The table every extractor uses.
    static let standard = WordFlags(functionWords: functionWords, hardWords: hardWords)

    /// Slot count (a power of two).
    static let capacity = 1_024
    /// Hashes, 0 for an empty slot.
    let keys: [UInt64]
    /// Flags of the word in the same slot.
    let flags: [UInt8]

    /// Builds the table from word lists.
    init(functionWords: [String], hardWords: [String]) {
        var keys = [UInt64](repeating: 0, count: Self.capacity)
        var flags = [UInt8](repeating: 0, count: Self.capacity)
        for (words, flag) in [(functionWords, Self.functionWord), (hardWords, Self.hardWord)] {
            for word in words {
                let hash = Self.hash(word)
                var slot = Self.slot(hash)
                while keys[slot] != 0 && keys[slot] != hash { slot = (slot + 1) & (Self.capacity - 1) }
                keys[slot] = hash
                flags[slot] |= flag
            }
        }
        self.keys = keys; self.flags = flags
    }

    /// The hash the feature pass gives a word (the list's words are lower-case letters already).
    static func hash(_ word: String) -> UInt64 { FeatureExtractor.wordHash(word.utf8) }

    /// The first slot probed for a hash (its top bits).
    @inline(__always) static func slot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 54) }

    /// The flags of a word hash, 0 when the word is not in the table.
    @inline(__always) static func lookup(_ hash: UInt64, keys: UnsafePointer<UInt64>, flags: UnsafePointer<UInt8>) -> UInt8 {
        var slot = slot(hash)
        while true {
            let key = keys[slot]
            if key == hash { return flags[slot] }
            if key == 0 { return 0 }
            slot = (slot &+ 1) & (capacity - 1)
        }
    }
}
