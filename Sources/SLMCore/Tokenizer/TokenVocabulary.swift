/// Every token's bytes and kind, stored flat so decoding a token is a slice, not a lookup.
struct TokenVocabulary: Sendable {
    /// The bytes of all tokens, back to back.
    let bytes: [UInt8]
    /// Start of each token's bytes in `bytes`, plus one final entry for the end.
    let offsets: [Int32]
    /// The kind of each token.
    let kinds: [TokenKind]

    var count: Int { kinds.count }

    /// Builds the table from vocabulary texts; `bytesOfText` turns a normal token's text into bytes.
    init(texts: [String], kinds: [TokenKind], bytesOfText: (String) -> [UInt8]) {
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        bytes.reserveCapacity(texts.count * 8)
        offsets.reserveCapacity(texts.count + 1)
        for (text, kind) in zip(texts, kinds) {
            switch kind {
            case .normal, .undefined: bytes.append(contentsOf: bytesOfText(text))
            case .unused: break
            case .control, .userDefined, .unknown, .byte: bytes.append(contentsOf: text.utf8)
            }
            offsets.append(Int32(bytes.count))
        }
        self.bytes = bytes
        self.offsets = offsets
        self.kinds = kinds
    }

    /// Appends the bytes of `token`; control and unknown tokens only when `renderSpecial`.
    @inline(__always)
    func appendBytes(of token: Int32, renderSpecial: Bool, to output: inout [UInt8]) {
        guard token >= 0, Int(token) < kinds.count else { return }
        switch kinds[Int(token)] {
        case .control, .unknown: guard renderSpecial else { return }
        default: break
        }
        output.append(contentsOf: bytes[Int(offsets[Int(token)])..<Int(offsets[Int(token) + 1])])
    }
}
