import Foundation
@testable import SLMCore

/// Tokenizers the tokenizer, chat-template and sampling tests share.
enum TokenizerFixtures {
    /// SmolLM2's tokenizer, read once from the test model's GGUF metadata.
    static func smolLM() throws -> ByteLevelBPETokenizer {
        try smolLMResult.get()
    }

    private static let smolLMResult: Result<ByteLevelBPETokenizer, any Error> = Result {
        try ByteLevelBPETokenizer(gguf: GGUFFile(path: TestSupport.modelPath()))
    }

    /// A tiny byte-level vocabulary: the 256 byte pieces, then `extraPieces` (normal tokens, in
    /// order) and `special` tokens of the given kinds, with `merges` as rules.
    static func tiny(
        extraPieces: [String] = [], merges: [String] = [],
        special: [(String, TokenKind)] = [], preTokenizer: PreTokenizer = .smollm
    ) throws -> ByteLevelBPETokenizer {
        let bytePieces = (0...255).map { GPT2ByteMapping.piece(for: UInt8($0)) }
        let tokens = bytePieces + extraPieces + special.map(\.0)
        let types = [Int32](repeating: TokenKind.normal.rawValue, count: bytePieces.count + extraPieces.count)
            + special.map(\.1.rawValue)
        return try ByteLevelBPETokenizer(
            tokens: tokens, tokenTypes: types, merges: merges, preTokenizer: preTokenizer,
            specialTokens: SpecialTokens(bos: nil, eos: nil, eot: nil, addsBOS: false))
    }

    /// The id of a byte's piece in a `tiny` vocabulary.
    static func byteID(_ character: Character) -> Int32 {
        let byte = character.asciiValue!
        return Int32(byte)  // the 256 byte pieces come first, in byte order
    }
}
