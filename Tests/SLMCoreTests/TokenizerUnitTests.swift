import Testing
@testable import SLMCore

/// The tokenizer's parts on hand-made inputs: byte mapping, pre-tokenizer, merges, special tokens.
@Suite struct TokenizerUnitTests {
    // MARK: GPT-2 byte mapping

    @Test(arguments: [
        (UInt8(ascii: " "), "Ġ"), (UInt8(ascii: "\n"), "Ċ"), (UInt8(ascii: "\t"), "ĉ"), (UInt8(ascii: "\r"), "č"),
        (UInt8(0xA0), "ł"), (UInt8(ascii: "A"), "A"), (UInt8(0xC3), "Ã"), (UInt8(0x00), "Ā"), (UInt8(0xAD), "Ń"),
    ])
    func mapsBytesToTheirGPT2Pieces(byte: UInt8, piece: String) {
        #expect(GPT2ByteMapping.piece(for: byte) == piece)
        #expect(GPT2ByteMapping.bytes(ofPiece: piece) == [byte])
    }

    @Test func byteMappingIsABijectionOverAllBytes() {
        let pieces = (0...255).map { GPT2ByteMapping.piece(for: UInt8($0)) }
        #expect(Set(pieces).count == 256)
        for byte in 0...255 { #expect(GPT2ByteMapping.bytes(ofPiece: pieces[byte]) == [UInt8(byte)]) }
        #expect(GPT2ByteMapping.bytes(ofPiece: "Ġthe") == Array(" the".utf8))
        #expect(GPT2ByteMapping.bytes(ofPiece: "中") == nil)
    }

    // MARK: Pre-tokenizer

    @Test(arguments: [
        ("   three", PreTokenizer.smollm, ["  ", " three"]),
        ("a \nb", .smollm, ["a", " ", "\n", "b"]),
        ("\n\n\ndouble", .smollm, ["\n\n", "\n", "double"]),
        ("trailing   ", .smollm, ["trailing", "   "]),
        ("year 2024!", .smollm, ["year", " ", "2", "0", "2", "4", "!"]),
        ("year 2024!", .gpt2, ["year", " 2024", "!"]),
        ("x²", .smollm, ["x", "²"]),
        ("I'm they'll we've IT'S", .smollm, ["I", "'m", " they", "'ll", " we", "'ve", " IT", "'", "S"]),
        ("a+=b; c", .smollm, ["a", "+=", "b", ";", " c"]),
        ("!!! ???", .smollm, ["!!!", " ???"]),
        ("non\u{A0}breaking", .smollm, ["non", "\u{A0}", "breaking"]),
        ("zero\u{200B}width", .smollm, ["zero", "\u{200B}", "width"]),
        ("안녕 세계", .smollm, ["안녕", " 세계"]),
        ("🍕🍕 ok", .smollm, ["🍕🍕", " ok"]),
        ("", .smollm, []),
    ] as [(String, PreTokenizer, [String])])
    func splitsIntoPreTokensLikeTheGPT2Pattern(text: String, preTokenizer: PreTokenizer, expected: [String]) {
        var pieces: [Range<Int>] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { preTokenizer.split($0, range: 0..<bytes.count, into: &pieces) }
        let texts = pieces.map { String(decoding: bytes[$0], as: UTF8.self) }
        #expect(texts == expected)
    }

    @Test(arguments: [("smollm", PreTokenizer.smollm), ("starcoder", .smollm), ("gpt2", .gpt2), ("default", .gpt2)])
    func namesPreTokenizersAsGGUFDoes(name: String, expected: PreTokenizer) throws {
        #expect(try PreTokenizer(ggmlName: name) == expected)
    }

    @Test func rejectsAnUnknownPreTokenizerByName() {
        #expect(throws: TokenizerError.unsupportedPreTokenizer("qwen9")) { try PreTokenizer(ggmlName: "qwen9") }
    }

    // MARK: Merges

    @Test(arguments: [
        // Rank decides: "b c" outranks "a b", so "abc" is a + bc.
        (["b c", "a b"], ["bc", "ab"], "abc", ["a", "bc"]),
        (["a b", "b c"], ["ab", "bc"], "abc", ["ab", "c"]),
        // Same rank: the leftmost pair merges first.
        (["a a"], ["aa"], "aaa", ["aa", "a"]),
        (["a a", "aa aa"], ["aa", "aaaa"], "aaaaa", ["aaaa", "a"]),
        // A merged piece merges again.
        (["a b", "ab c", "abc d"], ["ab", "abc", "abcd"], "abcdab", ["abcd", "ab"]),
    ] as [([String], [String], String, [String])])
    func mergesByRankThenLeftmost(merges: [String], pieces: [String], text: String, expected: [String]) throws {
        let tokenizer = try TokenizerFixtures.tiny(extraPieces: pieces, merges: merges)
        let ids = tokenizer.encode(text, parseSpecial: false)
        #expect(ids.map { tokenizer.decode([$0]) } == expected)
        #expect(tokenizer.decode(ids) == text)
    }

    @Test func rejectsMergesThatDoNotFitTheVocabulary() {
        #expect(throws: TokenizerError.mergePieceNotInVocabulary(index: 0, rule: "a b", piece: "ab")) {
            try TokenizerFixtures.tiny(merges: ["a b"])
        }
        #expect(throws: TokenizerError.malformedMerge(index: 0, rule: "ab")) {
            try TokenizerFixtures.tiny(extraPieces: ["ab"], merges: ["ab"])
        }
    }

    @Test func repeatedWordsGiveTheSameIdsFromTheCache() throws {
        let tokenizer = try TokenizerFixtures.tiny(extraPieces: ["ab"], merges: ["a b"])
        let once = tokenizer.encode("xab", parseSpecial: false)
        #expect(tokenizer.encode("xab xab xab", parseSpecial: false).count == 3 * once.count + 2)
        #expect(tokenizer.encode("xab", parseSpecial: false) == once)
    }

    // MARK: Special tokens

    @Test(arguments: [
        ("<ctl>hi<ctl>", true, ["<ctl>", "h", "i", "<ctl>"]),
        ("<ctl>hi", false, ["<", "c", "t", "l", ">", "h", "i"]),
        // User-defined tokens are matched whole even without special parsing, as llama.cpp does.
        ("a<usr>b", false, ["a", "<usr>", "b"]),
        // The longer special token wins where both match.
        ("<ctl>x>", true, ["<ctl>x>"]),
        (" <ctl> ", true, [" ", "<ctl>", " "]),
    ] as [(String, Bool, [String])])
    func splitsAtSpecialTokensOnlyWhenAsked(text: String, parseSpecial: Bool, expected: [String]) throws {
        let tokenizer = try TokenizerFixtures.tiny(special: [("<ctl>", .control), ("<usr>", .userDefined), ("<ctl>x>", .control)])
        let ids = tokenizer.encode(text, parseSpecial: parseSpecial)
        #expect(ids.map { tokenizer.decode([$0], renderSpecial: true) } == expected)
    }

    @Test func dropsBytesTheVocabularyHasNoPieceFor() throws {
        var tokens = (0...255).map { GPT2ByteMapping.piece(for: UInt8($0)) }
        tokens[0x04] = "<unused-4>"
        let tokenizer = try ByteLevelBPETokenizer(
            tokens: tokens, tokenTypes: [Int32](repeating: 1, count: 256), merges: [], preTokenizer: .smollm,
            specialTokens: SpecialTokens(bos: nil, eos: nil, eot: nil, addsBOS: false))
        #expect(tokenizer.encode("a\u{04}b", parseSpecial: false) == [TokenizerFixtures.byteID("a"), TokenizerFixtures.byteID("b")])
    }
}
