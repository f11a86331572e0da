/// GPT-2 style byte-level BPE (`tokenizer.ggml.model = gpt2`), as SmolLM2 and Llama 3 use it.
///
/// Encoding: split at special tokens, pre-tokenize each fragment, map every byte to its piece,
/// then merge by rank. Decoding maps pieces back to bytes.
///
/// ```swift
/// let tokenizer = try ByteLevelBPETokenizer(tokens: tokens, tokenTypes: types, merges: merges,
///                                           preTokenizer: .smollm, specialTokens: roles)
/// tokenizer.encode("Hello world", parseSpecial: false)  // [19556, 905]
/// ```
public struct ByteLevelBPETokenizer: Tokenizer {
    public let specialTokens: SpecialTokens
    /// The pre-tokenizer the vocabulary was trained with.
    public let preTokenizer: PreTokenizer

    private let vocabulary: TokenVocabulary
    private let merger: BytePairMerger
    private let splitter: SpecialTokenSplitter
    private let cache = BPEWordCache()

    public var vocabularySize: Int { vocabulary.count }

    /// Builds the tokenizer from plain vocabulary arrays, as GGUF stores them.
    ///
    /// - Parameters:
    ///   - tokens: each token's text in GPT-2 byte-to-unicode form (`Ġthe`), control tokens as written.
    ///   - tokenTypes: each token's `TokenKind` raw value; unknown values count as normal.
    ///   - merges: the merge rules `"left right"`, highest priority first.
    /// - Throws: `TokenizerError` naming the merge, piece or byte that does not fit the vocabulary.
    public init(
        tokens: [String], tokenTypes: [Int32], merges: [String],
        preTokenizer: PreTokenizer, specialTokens: SpecialTokens
    ) throws(TokenizerError) {
        guard tokens.count == tokenTypes.count else {
            throw .tokenTypeCountMismatch(tokens: tokens.count, types: tokenTypes.count)
        }
        let kinds = tokenTypes.map { TokenKind(rawValue: $0) ?? .normal }
        let vocabulary = TokenVocabulary(texts: tokens, kinds: kinds) { text in
            GPT2ByteMapping.bytes(ofPiece: text) ?? Array(text.utf8)
        }

        var idOfPiece: [String: Int32] = [:]
        idOfPiece.reserveCapacity(tokens.count)
        for (id, text) in tokens.enumerated() where kinds[id] == .normal || kinds[id] == .undefined {
            if idOfPiece[text] == nil { idOfPiece[text] = Int32(id) }
        }

        // A vocabulary may lack pieces for bytes that never occur in valid text (SmolLM2 has no
        // 0x04 or 0xFF); such bytes get -1 and are dropped from the output, as llama.cpp drops them.
        let byteTokenIDs = (0..<256).map { idOfPiece[GPT2ByteMapping.piece(for: UInt8($0))] ?? -1 }

        var rules: [UInt64: BytePairMerger.Rule] = [:]
        rules.reserveCapacity(merges.count)
        for (rank, rule) in merges.enumerated() {
            let parts = rule.utf8.dropFirst().firstIndex(of: UInt8(ascii: " ")).map { space in
                (String(rule[..<space]), String(rule[rule.index(after: space)...]))
            }
            guard let (left, right) = parts, !right.isEmpty else { throw .malformedMerge(index: rank, rule: rule) }
            for piece in [left, right, left + right] where idOfPiece[piece] == nil {
                throw .mergePieceNotInVocabulary(index: rank, rule: rule, piece: piece)
            }
            let key = UInt64(UInt32(bitPattern: idOfPiece[left]!)) << 32 | UInt64(UInt32(bitPattern: idOfPiece[right]!))
            if rules[key] == nil { rules[key] = .init(rank: Int32(rank), result: idOfPiece[left + right]!) }
        }

        self.specialTokens = specialTokens
        self.preTokenizer = preTokenizer
        self.vocabulary = vocabulary
        self.merger = BytePairMerger(byteTokenIDs: byteTokenIDs, rules: rules)
        self.splitter = SpecialTokenSplitter(vocabulary: vocabulary)
    }

    public func encode(_ text: String, parseSpecial: Bool) -> [Int32] {
        var text = text
        return text.withUTF8 { utf8 in
            var output: [Int32] = []
            output.reserveCapacity(utf8.count / 3 + 1)
            var pieces: [Range<Int>] = []
            var scratch = BytePairMerger.Scratch()
            for fragment in splitter.fragments(of: utf8, parseSpecial: parseSpecial) {
                switch fragment {
                case .token(let id):
                    output.append(id)
                case .text(let range):
                    pieces.removeAll(keepingCapacity: true)
                    preTokenizer.split(utf8, range: range, into: &pieces)
                    for piece in pieces {
                        encodeWord(UnsafeBufferPointer(rebasing: utf8[piece]), scratch: &scratch, into: &output)
                    }
                }
            }
            return output
        }
    }

    public func appendBytes(of token: Int32, renderSpecial: Bool, to bytes: inout [UInt8]) {
        vocabulary.appendBytes(of: token, renderSpecial: renderSpecial, to: &bytes)
    }

    /// The kind of `token`, or nil for an id outside the vocabulary.
    public func kind(of token: Int32) -> TokenKind? {
        token >= 0 && Int(token) < vocabulary.count ? vocabulary.kinds[Int(token)] : nil
    }

    private func encodeWord(_ word: UnsafeBufferPointer<UInt8>, scratch: inout BytePairMerger.Scratch, into output: inout [Int32]) {
        guard word.count > 1 else {
            merger.merge(word, scratch: &scratch, into: &output)
            return
        }
        let key = Array(word)
        if let cached = cache.ids(for: key) {
            output.append(contentsOf: cached)
            return
        }
        let start = output.count
        merger.merge(word, scratch: &scratch, into: &output)
        cache.store(Array(output[start...]), for: key)
    }
}
