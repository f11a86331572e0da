/// The token ids a vocabulary gives fixed roles to.
public struct SpecialTokens: Sendable, Equatable {
    /// Beginning of sequence, if the vocabulary has one.
    public var bos: Int32?
    /// End of sequence, if the vocabulary has one.
    public var eos: Int32?
    /// End of turn (`<|im_end|>`, `<|eot_id|>`, `<end_of_turn>`), if the vocabulary has one.
    public var eot: Int32?
    /// Whether prompts start with `bos` (`tokenizer.ggml.add_bos_token`).
    public var addsBOS: Bool
    /// Every id that ends generation: `eos`, `eot` and the known end-of-text tokens.
    public var endOfGeneration: Set<Int32>

    /// Creates the roles; `endOfGeneration` always includes `eos` and `eot`.
    public init(bos: Int32?, eos: Int32?, eot: Int32?, addsBOS: Bool, endOfGeneration: Set<Int32> = []) {
        self.bos = bos
        self.eos = eos
        self.eot = eot
        self.addsBOS = addsBOS
        var stops = endOfGeneration
        if let eos { stops.insert(eos) }
        if let eot { stops.insert(eot) }
        self.endOfGeneration = stops
    }

    /// Texts of tokens that end a turn in the model families we know, used to find `eot` and the
    /// end-of-generation set when the file does not name them (as llama.cpp does).
    public static let knownEndOfTurnTexts: [String] = [
        "<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>", "<|endoftext|>", "<EOT>", "<|end_of_text|>",
    ]
}
