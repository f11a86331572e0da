import Testing
@testable import Classifier

/// The feature pass: function and hard words found in one probe, long words hashed whole, features counted.
@Suite struct FeaturePassTests {
    @Test func everyListedWordIsFoundWithItsFlags() {
        let table = WordFlags.standard
        table.keys.withUnsafeBufferPointer { keys in
            table.flags.withUnsafeBufferPointer { flags in
                for word in WordFlags.functionWords {
                    #expect(WordFlags.lookup(WordFlags.hash(word), keys: keys.baseAddress!, flags: flags.baseAddress!) & WordFlags.functionWord != 0, "\(word)")
                }
                for word in WordFlags.hardWords {
                    #expect(WordFlags.lookup(WordFlags.hash(word), keys: keys.baseAddress!, flags: flags.baseAddress!) & WordFlags.hardWord != 0, "\(word)")
                }
                for word in ["capital", "python", "ibuprofen", "mortgage", "thee", "them0", "proved", "edges"] {
                    #expect(WordFlags.lookup(WordFlags.hash(word), keys: keys.baseAddress!, flags: flags.baseAddress!) == 0, "\(word)")
                }
            }
        }
    }

    @Test(arguments: [
        ("internationalization", "rationalization"),
        ("electroencephalogram", "electroencephalograms"),
        ("abcdefghabcdefgh", "abcdefgh"),
        ("counterrevolutionaries", "counterrevolutionary"),
    ])
    func longWordsHashWhole(first: String, second: String) {
        #expect(FeatureExtractor.wordHash(first.utf8) != FeatureExtractor.wordHash(second.utf8))
    }

    @Test func functionWordsGetNoWordFeatureButKeepTheirCharacterGrams() {
        let words = FeatureExtractor(bucketBits: 15, gramSizes: 0)
        #expect(words.buckets(of: "the of and").isEmpty)
        #expect(words.buckets(of: "mortgage rates").count == 3)   // two words and their pair
        let grams = FeatureExtractor(bucketBits: 15, gramSizes: 0b010)
        #expect(grams.buckets(of: "the").count == 2)   // "^the", "the$"
    }

    @Test(arguments: [
        ("", 0), ("x", 1), ("2 + 2 = 4", 7), ("git commit", 3), ("a b c", 3), ("the an of", 0),
    ])
    func featureCountsOfShortTexts(text: String, features: Int) {
        // Each non-function word, each pair of neighbouring ones, each symbol ("2 + 2 = 4": three "0" words, two pairs, "+" and "=").
        let extractor = FeatureExtractor(bucketBits: 15, gramSizes: 0)
        #expect(extractor.buckets(of: text).count == features)
    }

    @Test func keywordBagsAreDeterministicAndDrawnFromTheKeywords() {
        var first = SplitMix64(seed: 7), second = SplitMix64(seed: 7)
        let keywords = ["loan", "mortgage", "stock", "bond", "dividend", "tax", "budget", "pension", "equity"]
        let bags = ClassifierTrainer.bags(of: keywords, count: 50, random: &first)
        #expect(bags == ClassifierTrainer.bags(of: keywords, count: 50, random: &second))
        for bag in bags {
            let words = bag.split(separator: " ").map(String.init)
            #expect((3...8).contains(words.count))
            #expect(Set(words).count == words.count)
            #expect(Set(words).isSubset(of: keywords))
        }
        #expect(ClassifierTrainer.bags(of: ["one", "two"], count: 5, random: &first).isEmpty)
    }
}
