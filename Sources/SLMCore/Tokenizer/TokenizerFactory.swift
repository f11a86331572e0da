/// Builds the tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata.
public enum TokenizerFactory {
    /// The tokenizer of `file`, chosen by `tokenizer.ggml.model`.
    ///
    /// ```swift
    /// let tokenizer = try TokenizerFactory.tokenizer(for: GGUFFile(path: path))
    /// ```
    /// - Throws: `TokenizerError`, e.g. `.unsupportedModel("llama")` until SentencePiece lands.
    public static func tokenizer(for file: GGUFFile) throws(TokenizerError) -> any Tokenizer {
        let model = try metadata { () throws(GGUFError) in try file.string("tokenizer.ggml.model") }
        switch model {
        case "gpt2": return try ByteLevelBPETokenizer(gguf: file)
        default: throw .unsupportedModel(model)
        }
    }

    /// Runs a metadata read, turning its `GGUFError` into `TokenizerError.metadata`.
    static func metadata<T>(_ read: () throws(GGUFError) -> T) throws(TokenizerError) -> T {
        do { return try read() } catch { throw .metadata(error) }
    }
}

extension ByteLevelBPETokenizer {
    /// Builds the tokenizer from a GGUF file whose `tokenizer.ggml.model` is `gpt2`.
    /// - Throws: `TokenizerError` naming the key, merge or piece at fault.
    public init(gguf file: GGUFFile) throws(TokenizerError) {
        let tokens = try TokenizerFactory.metadata { () throws(GGUFError) in try file.stringArray("tokenizer.ggml.tokens") }
        let types = try TokenizerFactory.metadata { () throws(GGUFError) in
            file.metadata["tokenizer.ggml.token_type"] == nil
                ? [Int](repeating: Int(TokenKind.normal.rawValue), count: tokens.count)
                : try file.integerArray("tokenizer.ggml.token_type")
        }
        let merges = try TokenizerFactory.metadata { () throws(GGUFError) in try file.stringArray("tokenizer.ggml.merges") }
        let preName = try TokenizerFactory.metadata { () throws(GGUFError) in
            file.metadata["tokenizer.ggml.pre"] == nil ? "default" : try file.string("tokenizer.ggml.pre")
        }
        let roles = try SpecialTokens(gguf: file, tokens: tokens, addsBOSByDefault: false)
        try self.init(
            tokens: tokens, tokenTypes: types.map { Int32(clamping: $0) }, merges: merges,
            preTokenizer: PreTokenizer(ggmlName: preName), specialTokens: roles)
    }
}

extension SpecialTokens {
    /// The special-token roles GGUF metadata names, with end-of-turn tokens found by their text
    /// when `tokenizer.ggml.eot_token_id` is absent (as llama.cpp does).
    /// - Throws: `TokenizerError.tokenIDOutOfRange` for an id outside the vocabulary.
    public init(gguf file: GGUFFile, tokens: [String], addsBOSByDefault: Bool) throws(TokenizerError) {
        func id(_ key: String) throws(TokenizerError) -> Int32? {
            guard file.metadata[key] != nil else { return nil }
            let value = try TokenizerFactory.metadata { () throws(GGUFError) in try file.integer(key) }
            guard value >= 0, value < tokens.count else {
                throw .tokenIDOutOfRange(key: key, id: Int64(value), vocabularySize: tokens.count)
            }
            return Int32(value)
        }
        let bos = try id("tokenizer.ggml.bos_token_id")
        let eos = try id("tokenizer.ggml.eos_token_id")
        var eot = try id("tokenizer.ggml.eot_token_id")
        let addsBOS = try TokenizerFactory.metadata { () throws(GGUFError) in
            try file.bool("tokenizer.ggml.add_bos_token", default: addsBOSByDefault)
        }
        var endOfGeneration: Set<Int32> = []
        for text in Self.knownEndOfTurnTexts {
            guard let index = tokens.firstIndex(of: text) else { continue }
            endOfGeneration.insert(Int32(index))
            if eot == nil, text != "<|endoftext|>" { eot = Int32(index) }
        }
        self.init(bos: bos, eos: eos, eot: eot, addsBOS: addsBOS, endOfGeneration: endOfGeneration)
    }
}
